// A form is sent once. On a slow connection the first tap seems to do nothing, so the thumb taps
// again: a second POST would reach the server too, and its refusal (already sent, already
// decided) would be the page left on the screen. Once a POST form is submitted its buttons
// turn off until the answer replaces the page.
(function () {
  "use strict";
  // An answer that is a download (the recap's export) leaves the page in place: its buttons
  // come back after this long, as they do for a server that never answered.
  const RELEASE_AFTER_MS = 30 * 1000;
  const held = new Map();  // form → { buttons, kept, timer }

  function release(form) {
    const hold = held.get(form);
    if (!hold) return;
    held.delete(form);
    clearTimeout(hold.timer);
    for (const button of hold.buttons) { button.disabled = false; button.removeAttribute("aria-busy"); }
    if (hold.kept) hold.kept.remove();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method !== "post") return;
    if (held.has(form)) { event.preventDefault(); return; }  // e.g. Enter in a field
    if (event.defaultPrevented) return;
    const pressed = event.submitter;
    // What cannot be undone by its user (a month closed, a request withdrawn) asks first.
    const ask = (pressed && pressed.dataset.confirm) || form.dataset.confirm;
    if (ask && !window.confirm(ask)) { event.preventDefault(); return; }
    // A disabled button is left out of what is sent: the pressed one's name and value (Setujui
    // or Tolak, the language chosen) travel in a hidden field instead.
    let kept = null;
    if (pressed && pressed.name) {
      kept = document.createElement("input");
      kept.type = "hidden";
      kept.name = pressed.name;
      kept.value = pressed.value;
      form.append(kept);
    }
    const buttons = [...form.elements].filter((e) => e.type === "submit" && !e.disabled);
    for (const button of buttons) button.disabled = true;
    if (pressed) pressed.setAttribute("aria-busy", "true");  // Pico's spinner: the tap was heard
    held.set(form, { buttons, kept, timer: setTimeout(() => release(form), RELEASE_AFTER_MS) });
  });

  // A form sent back with errors: on a phone the page opens at its top, the field to mend maybe
  // a screen below. The first invalid field takes the focus (its error is read with it, and the
  // keyboard opens on it); a form-wide error alone is brought into view and announced.
  function showFirstError() {
    const field = document.querySelector("form [aria-invalid=true]");
    if (field) { field.focus(); field.scrollIntoView({ block: "center" }); return; }
    const said = document.querySelector("form .errorlist.nonfield");
    if (!said) return;
    said.setAttribute("role", "alert");
    said.scrollIntoView({ block: "center" });
  }
  showFirstError();  // deferred: the page is parsed, autofocus already given

  // Back to this page from the browser's back/forward cache: it is usable again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) for (const form of [...held.keys()]) release(form);
  });
})();
