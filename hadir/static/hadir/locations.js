// Operators' map of a unit's check-in locations. Tiles are optional: offline, shapes still draw.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("locations-data").textContent);
  const lat = document.getElementById("id_latitude");
  const lng = document.getElementById("id_longitude");
  const radius = document.getElementById("id_radius_m");
  const fallback = [-7.7163, 110.3553];
  const centre = data.length ? [data[0].latitude, data[0].longitude]
    : (lat && lat.value ? [Number(lat.value), Number(lng.value)] : fallback);
  const map = L.map("map").setView(centre, 16);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  for (const loc of data) {
    const style = { color: loc.active ? "#1b5e20" : "#9e9e9e" };
    (loc.polygon.length ? L.polygon(loc.polygon, style) : L.circle([loc.latitude, loc.longitude], { ...style, radius: loc.radius_m }))
      .addTo(map).bindTooltip(document.createTextNode(loc.name)); // text, never HTML: names are typed by operators
  }
  if (!lat) return;
  let preview = null;
  function draw() {
    if (!lat.value || !lng.value) return;
    const here = [Number(lat.value), Number(lng.value)];
    if (preview) preview.remove();
    preview = L.circle(here, { radius: Number(radius.value) || 50, color: "#c62828", dashArray: "4" }).addTo(map);
  }
  map.on("click", (event) => {
    lat.value = event.latlng.lat.toFixed(6);
    lng.value = event.latlng.lng.toFixed(6);
    draw();
  });
  for (const input of [lat, lng, radius]) input.addEventListener("change", draw);
  draw();
})();
