// Map console: units coloured by status and moving live, hospitals, a file's recommended units, engage from the map;
// each engaged unit's mission status in French with its time, and the buttons to report the next one when the crew
// gives it by radio.
"use strict";
(function () {
  const S = Sisamu;
  const samu = S.ctx.samu;
  const $ = (id) => document.getElementById(id);
  const AVAIL = { AVAILABLE: "disponible", ENGAGED: "engagé", UNAVAILABLE: "indisponible" };
  const state = { map: null, markers: new Map(), units: new Map(), missions: new Map(), file: null, fileMarker: null };

  function unitLabel(u) { return u.name + " (" + u.vehicle + ")"; }
  function drawUnit(u) {
    state.units.set(u.resource_id, u);
    if (!state.map) return;
    const lat = u.lat ?? u.base_lat, lon = u.lon ?? u.base_lon;
    if (lat === null || lat === undefined) return;
    let marker = state.markers.get(u.resource_id);
    const known = Object.hasOwn(AVAIL, u.availability) ? u.availability : "UNAVAILABLE";
    const icon = L.divIcon({ className: "unit-dot", html: S.el("span", null, "dot-" + known), iconSize: [14, 14] });
    if (!marker) {
      marker = L.marker([lat, lon], { icon, keyboard: false }).addTo(state.map);
      state.markers.set(u.resource_id, marker);
    }
    marker.setLatLng([lat, lon]);
    marker.setIcon(icon);
    marker.bindTooltip(S.tip(unitLabel(u) + " — " + (AVAIL[u.availability] || u.availability) + (u.status ? " · " + S.missionLabel(u.status) : "")));
    const element = marker.getElement();
    if (element) { element.dataset.resource = u.resource_id; element.dataset.availability = u.availability; }
  }
  function renderUnits() {
    const rows = [...state.units.values()].sort((a, b) => a.name.localeCompare(b.name, "fr"));
    $("units-available").textContent = rows.filter((u) => u.availability === "AVAILABLE").length + " disponibles";
    $("units").querySelector("tbody").replaceChildren(...rows.map((u) => {
      const tr = S.el("tr", null, "avail-" + u.availability, { "data-resource": u.resource_id });
      // The mission as last fetched (its status with its time), while it says what the unit says.
      const fetched = u.mission_id ? state.missions.get(u.mission_id) : null;
      const mission = fetched && fetched.status === u.status ? fetched : null;
      const status = mission ? S.missionLabel(mission.status) + " depuis " + S.time(mission.status_at) : S.missionLabel(u.status);
      const next = S.el("td");
      if (mission && mission.next.length && SisamuMissions.staff) next.append(SisamuMissions.controls(mission, reload, { subject: u.name }));
      tr.append(S.el("td", u.name), S.el("td", u.vehicle), S.el("td", AVAIL[u.availability] || u.availability), S.el("td", status, null, { "data-status": u.status || "", "data-shown": mission ? "mission" : "unit" }), next);
      return tr;
    }));
  }
  async function loadUnits() {
    const [list, missions] = await Promise.all([S.api("/api/samus/" + samu + "/resources"), S.api("/api/samus/" + samu + "/missions")]);
    state.missions = new Map(missions.map((m) => [m.mission_id, m]));
    for (const u of list) drawUnit(u);
    renderUnits();
  }
  async function reload() {
    await loadUnits().catch((e) => S.toast(e.message));
    if (state.file) await loadFileMissions().catch(() => {});
  }

  async function loadFileOptions() {
    const board = await S.api("/api/samus/" + samu + "/files/board");
    $("file-options").replaceChildren(...board.map((f) => S.el("option", (f.priority || "—") + " · " + f.state, null, { value: f.number })));
  }
  async function showFile(number) {
    const file = await S.api("/api/files/" + encodeURIComponent(number));
    state.file = file;
    const q = file.qualification;
    $("file-summary").replaceChildren(S.fileLink(file.number), S.el("span", " · " + [q.priority, q.motif_label, [q.location.address, q.location.commune_name].filter(Boolean).join(", ")].filter(Boolean).join(" · ")));
    if (state.fileMarker) state.fileMarker.remove();
    if (q.location.lat !== null && q.location.lat !== undefined && state.map) {
      state.fileMarker = L.marker([q.location.lat, q.location.lon]).bindTooltip(S.tip("Dossier " + file.number)).addTo(state.map);
    }
    await Promise.all([loadRecommendation(), loadFileMissions()]);
  }
  async function loadRecommendation() {
    if (!state.file) return;
    const body = $("reco").querySelector("tbody");
    try {
      const reco = await S.api("/api/files/" + state.file.number + "/recommendation?top=5");
      $("reco-level").textContent = "niveau " + reco.level + (reco.resource_type ? " · " + reco.resource_type + " (décision)" : "");
      body.replaceChildren(...reco.units.map((u) => {
        const tr = S.el("tr", null, null, { "data-resource": u.resource_id });
        const engage = S.el("button", "Engager", "small");
        engage.addEventListener("click", () => S.attempt(async () => {
          await S.api("/api/files/" + state.file.number + "/missions", { method: "POST", body: { resource_id: u.resource_id } });
          await Promise.all([loadRecommendation(), loadFileMissions()]);
        }, unitLabel(u) + " engagé."));
        const cell = S.el("td"); cell.append(engage);
        const loss = u.coverage_loss === null ? "—" : u.coverage_loss.toLocaleString("fr-FR") + " hab." + (u.carence ? " (carence)" : "");
        tr.append(S.el("td", unitLabel(u)), S.el("td", S.duration(u.travel_s)), S.el("td", (u.air_distance_m / 1000).toFixed(1).replace(".", ",") + " km"), S.el("td", loss), cell);
        return tr;
      }));
      if (state.map && reco.lat !== null) {
        const points = [[reco.lat, reco.lon]];
        for (const u of reco.units) { const m = state.markers.get(u.resource_id); if (m) points.push(m.getLatLng()); }
        state.map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 12 });
      }
    } catch (err) {
      body.replaceChildren();
      $("reco-level").textContent = err.message;
    }
  }
  async function loadFileMissions() {
    if (state.file) await SisamuMissions.renderFile($("file-missions"), state.file.number);
  }
  $("file-pick").addEventListener("submit", (e) => { e.preventDefault(); S.attempt(() => showFile($("file-input").value.trim())); });

  S.on("resource.", (event) => {
    const unit = state.units.get(event.id);
    if (unit && event.data) {
      Object.assign(unit, event.data); drawUnit(unit); renderUnits();
      const fetched = unit.mission_id ? state.missions.get(unit.mission_id) : null;
      if (unit.mission_id && (!fetched || fetched.status !== unit.status)) loadUnits().catch(() => {});  // its mission moved
    }
    else loadUnits().catch((e) => S.toast(e.message));
  });
  S.on("mission.", () => { loadUnits().catch(() => {}); if (state.file) { loadFileMissions().catch(() => {}); loadRecommendation().catch(() => {}); } });
  S.on("case.", () => loadFileOptions().catch(() => {}));
  S.territoryMap("map", null).then(async (map) => {
    state.map = map;
    const capacity = await S.api("/api/samus/" + samu).catch(() => null);
    if (capacity && map) capacity.hospitals.forEach((h) => L.marker([h.lat, h.lon], { zIndexOffset: -1000, icon: L.divIcon({ className: "hospital-icon", html: S.el("span", "H"), iconSize: [18, 18] }) }).bindTooltip(S.tip(h.name)).addTo(map));
    for (const u of state.units.values()) drawUnit(u);
    const wanted = new URLSearchParams(location.search).get("file");
    if (wanted) { $("file-input").value = wanted; S.attempt(() => showFile(wanted)); }
  }).catch((e) => S.toast("Carte indisponible : " + e.message));
  S.start();
})();
