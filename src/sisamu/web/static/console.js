// sisamu console: loads the room's data from the JSON API and follows the live feed (WebSocket).
"use strict";
(function () {
  const root = document.getElementById("console");
  const samu = root.dataset.samu;
  const csrf = root.dataset.csrf;
  const journal = document.getElementById("journal");
  const liveStatus = document.getElementById("live-status");

  function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
  function time(iso) { return new Date(iso).toLocaleTimeString("fr-FR"); }
  async function api(path, options) {
    const response = await fetch(path, Object.assign({ headers: { "Accept": "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/json" } }, options || {}));
    if (!response.ok) { const body = await response.json().catch(() => ({})); throw new Error(body.detail || ("Erreur " + response.status)); }
    return response.json();
  }

  async function loadInstructions() {
    if (!samu) return;
    const list = document.getElementById("instructions");
    const items = await api("/api/samus/" + samu + "/instructions");
    list.replaceChildren(...items.map((i) => { const li = el("li"); li.append(el("div", i.body), el("div", time(i.created_at) + " · " + i.author, "meta")); return li; }));
  }

  async function loadTerritory() {
    if (!samu) return;
    const detail = await api("/api/samus/" + samu);
    const list = document.getElementById("hospitals");
    list.replaceChildren(...detail.hospitals.map((h) => el("li", h.name + " (" + h.kind + ")")));
    list.append(...detail.smur_bases.map((b) => el("li", "Base SMUR : " + b.name + (b.helismur ? " · HéliSMUR" : ""))));
    if (typeof L === "undefined") return;
    const map = L.map("map", { attributionControl: true });
    if (root.dataset.tiles) L.tileLayer(root.dataset.tiles, { maxZoom: 18 }).addTo(map);
    const outline = await api("/api/geo/departements/" + detail.departement + "/outline");
    const layer = L.geoJSON(outline, { style: { color: "#c0392b", weight: 2, fillOpacity: 0.05 } }).addTo(map);
    map.fitBounds(layer.getBounds());
    detail.hospitals.forEach((h) => L.circleMarker([h.lat, h.lon], { radius: 6, color: "#1b4f72" }).bindTooltip(h.name).addTo(map));
  }

  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live");
    ws.onopen = () => { liveStatus.dataset.state = "on"; liveStatus.textContent = "Flux temps réel : connecté"; };
    ws.onclose = () => { liveStatus.dataset.state = "off"; liveStatus.textContent = "Flux temps réel : reconnexion…"; setTimeout(connect, 2000); };
    ws.onmessage = (message) => {
      const event = JSON.parse(message.data);
      journal.prepend(el("li", new Date().toLocaleTimeString("fr-FR") + " " + event.kind + (event.id ? " #" + event.id : "") + (event.samu_id ? " · SAMU " + event.samu_id : "")));
      if (event.kind === "room.instruction") loadInstructions();
    };
  }

  const form = document.getElementById("instruction-form");
  if (form) {
    const body = document.getElementById("instruction-body");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try { await api("/api/samus/" + samu + "/instructions", { method: "POST", body: JSON.stringify({ body: body.value }) }); body.value = ""; }
      catch (err) { alert(err.message); }
    });
    body.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) form.requestSubmit(); });
  }
  loadInstructions().catch((e) => journal.prepend(el("li", "Consignes indisponibles : " + e.message)));
  loadTerritory().catch((e) => journal.prepend(el("li", "Carte indisponible : " + e.message)));
  connect();
})();
