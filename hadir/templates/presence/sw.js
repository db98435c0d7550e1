{% autoescape off %}// Hadir presensi service worker: keeps the page's static shell for weak signal.
// Check-ins themselves are never cached or queued: only the server's time counts.
// The cache is named after the shell's (hashed) file names: a deploy that changes them gets a
// new cache, and activation deletes the old one with the previous deploy's files.
const CACHE = "hadir-shell-{{ version }}";
const SHELL = {{ shell|safe }};
const OFFLINE = {{ offline|safe }};
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  // Take over open pages at once: they are told a new version is there (checkin.js).
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.mode === "navigate") {
    // The scope also holds the live board, the machines and the punch import: their
    // navigations fail as the browser's own (the board reloads itself once the signal is back).
    if (url.pathname !== "/presensi/") return;
    // The check-in page opened without signal: a page of ours that says so, not the browser's
    // error page. The real page is never cached: it is one employee's, and a shared phone has
    // several.
    event.respondWith(fetch(event.request).catch(() => new Response(OFFLINE, {
      headers: { "Content-Type": "text/html; charset=utf-8" },
    })));
    return;
  }
  if (event.request.method !== "GET" || !SHELL.includes(url.pathname)) return;
  event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
});
{% endautoescape %}