// Crew terminal (a tablet in the vehicle): the unit's current mission — priority, reason, where to go, the
// destination decided — one big button for the next status, the statuses with their times, messages with the room
// and the bilan. A mission engaged on the unit appears without reload (live feed).
"use strict";
(function () {
  const S = Sisamu;
  const M = SisamuMissions;
  const $ = (id) => document.getElementById(id);
  const AVAIL = { AVAILABLE: "disponible", ENGAGED: "engagé", UNAVAILABLE: "indisponible" };
  const DIRECTIONS = { CREW_TO_ROOM: "Équipage → salle", ROOM_TO_CREW: "Salle → équipage" };
  const state = { units: new Map(), markers: new Map(), missions: [], current: null, seen: null, map: null, layer: null, keyboard: false };

  const mine = (resourceId) => state.units.has(resourceId);
  function current() { return state.missions.find((m) => m.mission_id === state.current) || null; }

  async function loadUnits() {
    const units = await S.api("/api/crew/units");
    state.units = new Map(units.map((u) => [u.resource_id, u]));
    $("crew-unit").textContent = units.length
      ? units.map((u) => u.name + " · " + (AVAIL[u.availability] || u.availability)).join(" — ")
      : "aucun moyen rattaché à ce compte : voyez le superviseur";
    drawUnits();
  }

  async function loadMissions() {
    const missions = await S.api("/api/crew/missions");
    const known = state.seen;
    state.seen = new Set(missions.map((m) => m.mission_id));
    const fresh = known ? missions.filter((m) => !known.has(m.mission_id)) : [];
    state.missions = missions;
    // A new mission takes the screen; otherwise the mission shown stays, or the newest when it ended.
    if (fresh.length) state.current = fresh[0].mission_id;
    else if (!current()) state.current = missions.length ? missions[0].mission_id : null;
    render();
    if (fresh.length) {
      const m = fresh[0];
      S.toast("Nouvelle mission : " + [m.priority, m.motif_label, m.commune].filter(Boolean).join(" · "), "ok");
      $("panel-crew").classList.add("alert");
      setTimeout(() => $("panel-crew").classList.remove("alert"), 8000);
    }
  }

  function fact(dl, label, value, cls) { if (value) dl.append(S.el("dt", label), S.el("dd", value, cls)); }

  function render() {
    const m = current();
    $("crew-empty").hidden = !!m;
    $("crew-mission").hidden = !m;
    renderOthers();
    if (!m) { $("crew-actions").replaceChildren(); drawPlace(null); renderBilan(null); $("radio-log").replaceChildren(); return; }
    const prio = $("crew-priority");
    prio.textContent = m.priority || "Priorité non précisée";
    prio.className = "crew-priority prio-" + (m.priority || "none");
    $("crew-motif").textContent = m.motif_label || m.motif || "Motif non précisé";
    const facts = $("crew-facts");
    facts.replaceChildren();
    fact(facts, "Adresse", m.address || "non précisée");
    fact(facts, "Commune", m.commune || "non précisée");
    fact(facts, "Accès", m.directions);
    fact(facts, "Destination", m.destination || "pas encore décidée", m.destination ? "crew-destination" : "meta");
    fact(facts, "Moyen", m.unit_name || m.resource_id);
    fact(facts, "Dossier", m.file_number, "mono");
    $("crew-status").textContent = S.missionLabel(m.status);
    $("crew-status").dataset.status = m.status;
    $("crew-status-at").textContent = "depuis " + S.time(m.status_at);
    $("crew-history").replaceChildren(...M.historyItems(m));
    renderActions(m);
    drawPlace(m);
    renderBilan(m);
    loadRadio(m).catch((e) => S.toast(e.message));
  }

  // The big button and the exceptions (held a moment after a report: `SisamuMissions.controls`). Whoever reported
  // with the keyboard, or had the focus on them, finds it on the new big button once it may be pressed.
  function renderActions(m) {
    const actions = $("crew-actions");
    const hadFocus = actions.contains(document.activeElement);
    if (!m.next.length) { actions.replaceChildren(S.el("p", "Mission terminée.", "meta")); return; }
    const ready = (next) => {
      if (actions.contains(next) && (state.keyboard || hadFocus)) { next.focus(); state.keyboard = false; }
    };
    actions.replaceChildren(M.controls(m, afterReport, { primaryClass: "crew-next", subject: m.unit_name || m.resource_id, ready }));
  }
  async function afterReport(moved, how) {
    state.keyboard = !!(how && how.byKeyboard);
    await loadMissions().catch((e) => S.toast(e.message));
  }

  function renderOthers() {
    const others = state.missions.filter((m) => m.mission_id !== state.current);
    $("panel-crew-others").hidden = !others.length;
    $("crew-others").replaceChildren(...others.map((m) => {
      const li = S.el("li");
      const show = S.el("button", "Afficher", "secondary", { type: "button", "aria-label": "Afficher la mission " + m.mission_id });
      show.addEventListener("click", () => { state.current = m.mission_id; render(); });
      li.append(S.el("span", [m.unit_name || m.resource_id, m.priority, m.commune, S.missionLabel(m.status) + " depuis " + S.time(m.status_at)].filter(Boolean).join(" · ") + " "), show);
      return li;
    }));
  }

  // --- map: the place, the unit, a link for the terminal's own navigation --------------------------------------
  function drawUnits() {
    if (!state.map) return;
    for (const u of state.units.values()) {
      if (u.lat === null || u.lat === undefined) continue;
      let marker = state.markers.get(u.resource_id);
      if (!marker) { marker = L.marker([u.lat, u.lon], { keyboard: false }).addTo(state.map); state.markers.set(u.resource_id, marker); }
      const known = Object.hasOwn(AVAIL, u.availability) ? u.availability : "UNAVAILABLE";
      marker.setIcon(L.divIcon({ className: "unit-dot", html: S.el("span", null, "dot-" + known), iconSize: [14, 14] }));
      marker.setLatLng([u.lat, u.lon]).bindTooltip(S.tip(u.name));
    }
  }
  function drawPlace(m) {
    const link = $("crew-navigate");
    const has = m && m.lat !== null && m.lat !== undefined;
    link.hidden = !has;
    if (has) link.href = "geo:" + m.lat + "," + m.lon + "?q=" + m.lat + "," + m.lon;
    if (!state.map) return;
    if (state.layer) { state.layer.remove(); state.layer = null; }
    if (has) {
      state.layer = L.marker([m.lat, m.lon], { keyboard: false }).bindTooltip(S.tip([m.address, m.commune].filter(Boolean).join(", ") || "Lieu d'intervention")).addTo(state.map);
    }
    frame();
  }
  // The place and the unit that goes there, in view (the whole département when there is no place).
  function frame() {
    const m = current();
    if (!state.map || !m || m.lat === null || m.lat === undefined) return;
    const points = [[m.lat, m.lon]];
    const unit = state.units.get(m.resource_id);
    if (unit && unit.lat !== null && unit.lat !== undefined) points.push([unit.lat, unit.lon]);
    state.map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 14 });
  }

  // --- messages with the room ------------------------------------------------------------------------------------
  async function loadRadio(m) {
    const messages = await S.api("/api/samus/" + encodeURIComponent(m.samu_id) + "/missions/" + m.mission_id + "/messages");
    if (current() !== m) return;
    $("radio-log").replaceChildren(...messages.slice().reverse().map((r) => {
      const li = S.el("li", null, "radio-" + r.direction);
      li.append(S.el("span", S.time(r.at) + " · " + (DIRECTIONS[r.direction] || r.direction) + " · " + r.author + " : ", "meta"), S.el("span", r.body));
      return li;
    }));
    if (!messages.length) $("radio-log").append(S.el("li", "Aucun message.", "meta"));
  }
  $("radio-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const m = current();
    const body = $("radio-body").value.trim();
    if (!m) { S.toast("Aucune mission en cours."); return; }
    if (!body) { S.toast("Écrivez le message avant de l'envoyer."); return; }
    S.attempt(async () => {
      await S.api("/api/samus/" + encodeURIComponent(m.samu_id) + "/missions/" + m.mission_id + "/messages", { method: "POST", body: { body } });
      $("radio-body").value = "";
      await loadRadio(m);
    }, "Message envoyé à la salle.");
  });

  // --- bilan -----------------------------------------------------------------------------------------------------
  const VITALS = ["FREQUENCE_CARDIAQUE", "PRESSION_ARTERIELLE", "SATURATION_OXYGENE", "FREQUENCE_RESPIRATOIRE", "GLASGOW"];
  function renderBilan(m) {
    const patients = m ? m.patients : [];
    $("bilan-none").hidden = !m || patients.length > 0;
    $("bilan-form").hidden = !patients.length;
    const select = $("bilan-patient");
    const keep = select.value;
    select.replaceChildren(...patients.map((no) => S.el("option", "Patient " + no, null, { value: String(no) })));
    if (patients.includes(Number(keep))) select.value = keep;
  }
  $("bilan-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const m = current();
    if (!m) return;
    const vital_signs = VITALS.map((kind) => ({ kind, value: $("vital-" + kind).value.trim() })).filter((v) => v.value);
    const text = $("bilan-text").value.trim();
    if (!vital_signs.length && !text) { S.toast("Le bilan est vide : indiquez des constantes ou un texte."); return; }
    const body = { patient_no: Number($("bilan-patient").value), redactor_role: $("bilan-redactor").value, vital_signs, freetext: text ? [text] : [] };
    S.attempt(async () => {
      await S.api("/api/samus/" + encodeURIComponent(m.samu_id) + "/missions/" + m.mission_id + "/bilans", { method: "POST", body });
      for (const kind of VITALS) $("vital-" + kind).value = "";
      $("bilan-text").value = "";
    }, "Bilan transmis à la salle.");
  });

  // --- live ------------------------------------------------------------------------------------------------------
  async function reloadAll() { await loadUnits(); await loadMissions(); }
  S.on("mission.", (event) => {
    if (event.kind === "resync") { reloadAll().catch((e) => S.toast(e.message)); return; }
    const resource = event.data && event.data.resource_id;
    if (!mine(resource)) return;
    if (event.kind === "mission.message") { const m = current(); if (m && String(m.mission_id) === event.id) loadRadio(m).catch(() => {}); return; }
    loadMissions().catch((e) => S.toast(e.message));
  });
  S.on("resource.", (event) => {
    if (event.kind !== "resync" && mine(event.id)) loadUnits().catch(() => {});
  });
  S.on("case.", (event) => {  // the file changed (a destination decided, an address corrected)
    const m = current();
    if (event.kind !== "resync" && m && event.id === m.file_number) loadMissions().catch(() => {});
  });

  if (typeof L !== "undefined") {
    try {
      state.map = L.map("map", { attributionControl: true }).setView([46.6, 2.4], 6);
      if (S.ctx.tiles) L.tileLayer(S.ctx.tiles, { maxZoom: 18 }).addTo(state.map);
      S.api("/api/samus/" + S.ctx.samu).then((detail) => S.api("/api/geo/departements/" + detail.departement + "/outline")).then((outline) => {
        const layer = L.geoJSON(outline, { style: { color: "#c0392b", weight: 2, fillOpacity: 0.05 } }).addTo(state.map);
        if (state.layer) frame(); else state.map.fitBounds(layer.getBounds());
      }).catch(() => {});
    } catch (err) { console.warn("map unavailable", err); state.map = null; }
  }
  S.start();
})();
