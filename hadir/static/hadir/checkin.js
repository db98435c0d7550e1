// Hadir check-in page. The phone sends only its position; the server decides the time.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("checkin-texts").textContent);
  const button = document.getElementById("checkin");
  const result = document.getElementById("result");
  // Mobile data off: nothing leaves the phone, so the page says plainly that nothing counted.
  const offline = () => navigator.onLine === false;
  function showOffline() {
    result.hidden = false; result.className = "refused"; result.textContent = T.offline;
  }
  const positionText = document.getElementById("position");
  const positionSaid = document.getElementById("position-said");
  let positionStanding = null;
  // The line changes with every fix (a metre nearer, a better accuracy); reading each one
  // aloud would drown the page. A screen reader hears it when the standing changes.
  function showPosition(text, standing) {
    positionText.textContent = text;
    if (standing === positionStanding) return;
    positionStanding = standing;
    positionSaid.textContent = text;
  }
  const standingText = document.getElementById("standing");
  // Read at each tap: logging in again (another tab) rotates the token.
  const csrf = () => (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  // A position older than this is not where the phone is now (GPS lost, page brought back).
  const FIX_MAX_AGE_MS = 60 * 1000;
  let fix = null;
  let areas = null;  // null until /api/presensi/today answers
  let sending = false;
  // A tap whose answer never arrived may have been recorded: a tap soon after sends the same
  // idempotency key again, so the server answers it (a replay) instead of recording twice.
  // Only soon after: hours later the tap means something else (pulang, not a second datang),
  // and it always carries the phone's position now.
  const RETRY_SAME_TAP_MS = 2 * 60 * 1000;
  let unanswered = null;  // { key, at, here } of the last tap without an answer
  const RETRY_SAME_PLACE_M = 30;
  let map = null;
  let marker = null;
  let loadedAt = 0;  // when /api/presensi/today last answered
  let todayDate = null;  // the unit's date it answered for
  let shownOn = null;  // the date of the answer shown under the button

  function newKey() {
    return (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random();
  }
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));
  }
  function deviceId() {
    let id = localStorage.getItem("hadir-device");
    if (!id) {
      id = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random();
      localStorage.setItem("hadir-device", id);
    }
    return id;
  }
  function metres(a, b) {
    const r = 6371008.8, rad = Math.PI / 180;
    const dLat = (b[0] - a[0]) * rad, dLng = (b[1] - a[1]) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLng / 2) ** 2;
    return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
  }
  // The same geometry as hadir/rules/geo.py: a polygon is the area when it has one (its
  // centre and radius only place the map), measured on a local projection around the phone.
  function project(origin, p) {
    const r = 6371008.8, rad = Math.PI / 180;
    return [(p[1] - origin[1]) * rad * r * Math.cos(origin[0] * rad), (p[0] - origin[0]) * rad * r];
  }
  function outsidePolygon(polygon, here) {
    const xy = polygon.map((v) => project(here, v));
    let inside = false, nearest = Infinity;
    for (let i = 0; i < xy.length; i++) {
      const [x1, y1] = xy[i], [x2, y2] = xy[(i + 1) % xy.length];
      if ((y1 > 0) !== (y2 > 0) && x1 + (0 - y1) * (x2 - x1) / (y2 - y1) > 0) inside = !inside;
      const dx = x2 - x1, dy = y2 - y1, length2 = dx * dx + dy * dy;
      const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, -(x1 * dx + y1 * dy) / length2));
      nearest = Math.min(nearest, Math.hypot(x1 + t * dx, y1 + t * dy));
    }
    return inside ? 0 : nearest;
  }
  function outside(area, here) {
    if (area.polygon.length) return outsidePolygon(area.polygon, here);
    return Math.max(0, metres([area.latitude, area.longitude], here) - area.radius_m);
  }
  function distanceText(m) {
    return m >= 1000 ? (m / 1000).toFixed(1).replace(".", T.decimalMark) + " km" : Math.round(m) + " m";
  }
  function showStanding(s) {
    standingText.textContent = T.standing + ": " + ((s.summary || s.reasons).join(" · ") || s.status);
  }
  function drawMap() {
    if (typeof L === "undefined" || !areas.length) return;
    map = L.map("map", { attributionControl: true }).setView([areas[0].latitude, areas[0].longitude], 16);
    // Tiles are decoration: without a connection the circles and the position still draw.
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "© OpenStreetMap",
    }).addTo(map);
    for (const a of areas) {
      if (a.polygon.length) L.polygon(a.polygon, { color: "#1b5e20" }).addTo(map).bindTooltip(document.createTextNode(a.name));
      else L.circle([a.latitude, a.longitude], { radius: a.radius_m, color: "#1b5e20" }).addTo(map).bindTooltip(document.createTextNode(a.name));
    }
  }
  // Leaflet loads apart (async): arriving after today's locations, it draws them then.
  document.getElementById("leaflet-js")?.addEventListener("load", () => {
    if (areas !== null && !map) { drawMap(); describePosition(); }
  });
  function areaBounds(a) {
    if (a.polygon.length) return L.latLngBounds(a.polygon);
    return L.latLng(a.latitude, a.longitude).toBounds(2 * a.radius_m);
  }
  function describePosition() {
    if (!fix) return;
    if (areas === null) {  // a position, but today's locations not loaded yet (weak signal)
      showPosition(fmt(T.located, { accuracy: Math.round(fix.accuracy) }), "located");
      return;
    }
    const here = [fix.latitude, fix.longitude];
    if (!areas.length) { showPosition(T.noLocations, "none"); return; }
    let best = null;
    for (const a of areas) {
      const away = outside(a, here);
      // Overlapping areas: the most lenient GPS tolerance, as the server judges (rules/geo.place).
      const lenient = best && away === 0 && best.outside === 0
        && a.accuracy_tolerance_m > best.area.accuracy_tolerance_m;
      if (!best || away < best.outside || lenient) best = { area: a, outside: away };
    }
    const values = { place: best.area.name, accuracy: Math.round(fix.accuracy),
                     tolerance: Math.round(best.area.accuracy_tolerance_m), distance: distanceText(best.outside) };
    // As the server judges: a poor fix whose error circle reaches the area needs a better fix.
    const blurred = fix.accuracy > best.area.accuracy_tolerance_m;
    const standing = best.outside > 0 && !(blurred && best.outside <= fix.accuracy)
      ? "outside" : blurred ? "poorAccuracy" : "inside";
    showPosition(fmt(T[standing], values), standing + ":" + best.area.name);
    if (map) {
      if (marker) marker.setLatLng(here); else marker = L.circleMarker(here, { radius: 8, color: "#c62828" }).addTo(map);
      // Off the map and away from every location: show the phone and the nearest location
      // together, so the employee sees which way to go.
      if (best.outside > 0 && !map.getBounds().contains(here)) {
        map.fitBounds(areaBounds(best.area).extend(here), { padding: [24, 24], maxZoom: 17, animate: false });
      }
    }
  }
  const GEO_OPTIONS = { enableHighAccuracy: true, maximumAge: 10000, timeout: 20000 };
  function onFix(p) {
    fix = { latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy,
            mock: Boolean(p.mocked || p.coords.mocked), at: Date.now() };
    button.disabled = sending;
    describePosition();
  }
  function onNoFix(err) {
    // No position now: the last one must not be sent as if it were current.
    fix = null;
    button.disabled = true;
    showPosition(err.code === 1 ? T.denied : T.noFix, err.code === 1 ? "denied" : "noFix");
  }
  let watch = null;
  function locate() {
    if (!navigator.geolocation) { showPosition(T.noGeo, "noGeo"); return; }
    showPosition(T.locating, "locating");
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = navigator.geolocation.watchPosition(onFix, onNoFix, GEO_OPTIONS);
  }
  // Location refused, then allowed in the phone's settings: look again without a reload.
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then((status) => {
      status.addEventListener("change", () => { if (status.state === "granted") locate(); });
    }).catch(() => {});
  }
  async function send(body, attempt) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15000);
    try {
      const response = await fetch("/api/presensi/check-in", {
        method: "POST", credentials: "same-origin", signal: controller.signal,
        headers: { "Content-Type": "application/json", "X-CSRFToken": decodeURIComponent(csrf()),
                   "X-Hadir-Employee": T.employee },
        body: JSON.stringify(body),
      });
      if (response.status === 401) return { accepted: false, message: T.loggedOut };
      if (response.status === 403) return { accepted: false, message: T.reload };
      if (response.status === 409) return { accepted: false, message: T.otherAccount };
      if (response.status === 429) return { accepted: false, message: (await response.json()).detail };
      const answer = await response.json();
      // A check-in answer always has a message; anything else (e.g. a 422 on a bad position)
      // is shown as a plain failure rather than "undefined".
      return answer && typeof answer.message === "string" ? answer : { accepted: false, message: T.rejectedInput };
    } catch (error) {
      if (attempt >= 3 || offline()) throw error;  // offline, sending again would not help
      result.hidden = false; result.className = ""; result.textContent = T.retrying;
      await new Promise((resolve) => setTimeout(resolve, 1500 * attempt));
      return send(body, attempt + 1);  // same idempotency key: never two punches
    } finally {
      clearTimeout(timer);
    }
  }
  function show(answer) {
    result.hidden = false;
    result.className = answer.accepted ? "ok" : "refused";
    result.replaceChildren();
    if (answer.local_time) {
      const label = document.createElement("small");
      label.textContent = answer.replayed ? T.replayed : T.serverTime;
      const time = document.createElement("div");
      time.className = "time";
      time.textContent = answer.local_time;
      result.append(label, time);
    }
    const message = document.createElement("p");
    message.textContent = answer.message;
    result.append(message);
    shownOn = todayDate;
    if (answer.standing) {
      const standing = document.createElement("p");
      standing.textContent = (answer.standing.summary || answer.standing.reasons).join(" · ");
      result.append(standing);
      showStanding(answer.standing);
    }
    // With a phone's large text the answer may sit below the screen's edge.
    result.scrollIntoView({ block: "nearest" });
  }
  function fresh() {
    if (fix && Date.now() - fix.at <= FIX_MAX_AGE_MS) return true;
    // A phone lying still may get no new watch callback: ask for a position now.
    // Quietly: a screen reader hears the standing again only if it changes.
    fix = null;
    button.disabled = true;
    positionText.textContent = T.locating;
    if (navigator.geolocation) navigator.geolocation.getCurrentPosition(onFix, onNoFix, GEO_OPTIONS);
    return false;
  }
  setInterval(() => { if (fix && !sending) fresh(); }, 5000);
  button.addEventListener("click", async () => {
    if (sending) return;
    if (offline()) { showOffline(); return; }
    if (!fresh()) return;
    sending = true;
    button.disabled = true;
    result.hidden = false; result.className = ""; result.textContent = T.sending;
    // The same tap again only from the same place: elsewhere it asks something new.
    const retry = unanswered && Date.now() - unanswered.at < RETRY_SAME_TAP_MS
      && metres(unanswered.here, [fix.latitude, fix.longitude]) <= RETRY_SAME_PLACE_M;
    const body = {
      latitude: fix.latitude, longitude: fix.longitude, accuracy_m: fix.accuracy,
      mock_location: fix.mock, device_id: deviceId(),
      idempotency_key: retry ? unanswered.key : newKey(),
    };
    try {
      let answer = await send(body, 1);
      if (answer.replayed && !answer.accepted) {
        // The lost tap was refused, so nothing was recorded: this one is judged on its own
        // (a new key can never make a second punch of a refusal). Should its answer be lost
        // too, the next tap repeats this key, not the refused one.
        body.idempotency_key = newKey();
        answer = await send(body, 1);
      }
      unanswered = null;
      show(answer);
    } catch (error) {
      unanswered = { key: body.idempotency_key, at: retry ? unanswered.at : Date.now(),
                     here: [body.latitude, body.longitude] };
      if (offline()) showOffline(); else { result.className = "refused"; result.textContent = T.unanswered; }
    } finally {
      sending = false;
      button.disabled = !fix;  // the GPS may have been lost while the tap was answered
    }
  });
  let todayRetry = null;  // the one pending retry of /api/presensi/today, if any
  let todayLoading = false;
  async function loadToday(attempt) {
    clearTimeout(todayRetry);
    todayRetry = null;
    todayLoading = true;
    try {
      const response = await fetch("/api/presensi/today", { credentials: "same-origin" });
      if (response.status === 401 || response.status === 403) { standingText.textContent = T.loggedOut; return; }
      const today = await response.json();
      loadedAt = Date.now();
      todayDate = today.date;
      if (shownOn !== null && shownOn !== todayDate) {  // the page was left open overnight
        result.hidden = true; result.replaceChildren(); shownOn = null;
      }
      areas = today.locations; showStanding(today.standing);
      if (!map) drawMap();
      describePosition();
    } catch (error) {
      // Weak signal: say so, and try again a little later (the button works meanwhile).
      standingText.textContent = T.todayFailed;
      todayRetry = setTimeout(() => loadToday(attempt + 1), Math.min(60000, 3000 * attempt));
    } finally {
      todayLoading = false;
    }
  }
  const todayIdle = () => !todayRetry && !todayLoading;
  loadToday(1);
  // A page left open overnight, or brought back in the morning, shows today, not yesterday.
  const TODAY_STALE_MS = 5 * 60 * 1000;
  // While a retry is pending (no signal) it goes on backing off: no second chain of retries.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && todayIdle() && Date.now() - loadedAt > TODAY_STALE_MS) loadToday(1);
  });
  setInterval(() => { if (document.visibilityState === "visible" && todayIdle()) loadToday(1); }, 3 * TODAY_STALE_MS);
  // The signal is back: no need to wait for the backed-off retry.
  window.addEventListener("online", () => { if (!todayLoading) loadToday(1); });
  if ("serviceWorker" in navigator) {
    // A page already served by a worker gets a new one only when a deploy changed the files:
    // say so, since this page still runs the old script until it is reloaded.
    let served = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (!served) { served = true; return; }  // the first worker taking the page: no news
      if (document.getElementById("new-version")) return;
      const notice = document.createElement("p");
      notice.id = "new-version";
      notice.setAttribute("role", "status");
      const link = document.createElement("a");
      link.href = "/presensi/";
      link.textContent = T.newVersion;
      notice.append(link);
      button.before(notice);
    });
    navigator.serviceWorker.register("/presensi/sw.js").catch(() => {});
  }
  locate();
})();
