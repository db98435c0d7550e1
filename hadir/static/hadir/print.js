// A button marked data-print prints the page (no inline handler: the CSP allows no inline script).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
