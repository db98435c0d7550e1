// Operators' map of a unit's check-in locations. Tiles are optional: offline, shapes still draw.
// A click places the point; in polygon mode each click adds a corner to the polygon field.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("locations-data").textContent);
  const lat = document.getElementById("id_latitude");
  const lng = document.getElementById("id_longitude");
  const radius = document.getElementById("id_radius_m");
  const polygon = document.getElementById("id_polygon");
  const drawButton = document.getElementById("draw-polygon");
  const clearButton = document.getElementById("clear-polygon");
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
  let drawing = false;
  const previewStyle = { color: "#c62828", dashArray: "4" };

  function corners() {
    try {
      const value = JSON.parse(polygon.value || "[]");
      return Array.isArray(value) ? value.filter((p) => Array.isArray(p) && p.length === 2) : [];
    } catch (error) {
      return [];
    }
  }
  function draw() {
    if (preview) preview.remove();
    preview = null;
    const points = corners();
    if (points.length >= 2) {
      preview = (points.length === 2 ? L.polyline(points, previewStyle) : L.polygon(points, previewStyle)).addTo(map);
    } else if (lat.value && lng.value) {
      preview = L.circle([Number(lat.value), Number(lng.value)], { ...previewStyle, radius: Number(radius.value) || 50 }).addTo(map);
    }
  }
  map.on("click", (event) => {
    const here = [Number(event.latlng.lat.toFixed(6)), Number(event.latlng.lng.toFixed(6))];
    if (drawing) {
      polygon.value = JSON.stringify([...corners(), here]);
      if (!lat.value) [lat.value, lng.value] = here.map(String);
    } else {
      [lat.value, lng.value] = here.map((v) => v.toFixed(6));
    }
    draw();
  });
  if (drawButton) {
    drawButton.addEventListener("click", () => {
      drawing = !drawing;
      drawButton.setAttribute("aria-pressed", String(drawing));
      drawButton.classList.toggle("secondary", !drawing);
    });
  }
  if (clearButton) {
    clearButton.addEventListener("click", () => { polygon.value = ""; draw(); });
  }
  for (const input of [lat, lng, radius, polygon]) input.addEventListener("change", draw);
  draw();
})();
