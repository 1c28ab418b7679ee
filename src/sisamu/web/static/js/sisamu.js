// sisamu — shared console code: JSON API calls, the live feed, code lists, small DOM helpers, shortcuts.
// Text from users and partners only ever reaches the page as text: DOM nodes with textContent (`el`, `tip`),
// never markup (no innerHTML, and Leaflet gets elements, not strings, which it would parse as HTML).
"use strict";
const Sisamu = (function () {
  const root = document.getElementById("console");
  const ctx = {
    samu: root.dataset.samu,
    departement: root.dataset.departement,
    csrf: root.dataset.csrf,
    tiles: root.dataset.tiles,
    username: root.dataset.username,
    role: root.dataset.role,
  };

  function el(tag, text, cls, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    if (attrs) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  }
  // Content of a Leaflet tooltip or icon: an element (a string would be parsed as HTML).
  function tip(text, cls) { return el("span", text, cls); }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "—"; }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    const s = Math.max(0, Math.round(seconds));
    return s < 60 ? s + " s" : Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
  }
  // A file's state (official ETAT codes) and its step in the room, as people say them.
  const FILE_STATES = { PROGRAM: "programmé", ACTIF: "actif", ACHEVE: "achevé", VALIDE: "validé", CLOTURE: "clôturé", CLASSE: "classé", ARCHIVE: "archivé" };
  const FILE_STEPS = { QUALIFYING: "en qualification", QUEUED: "en attente de régulation", DIRECT: "P0 — médecin", HELD: "en régulation", REGULATED: "régulé" };
  function fileStatus(file) { return (FILE_STATES[file.state] || file.state) + " · " + (FILE_STEPS[file.step] || file.step); }
  function since(iso) { return iso ? duration((Date.now() - new Date(iso).getTime()) / 1000) : "—"; }

  const STATUS_MESSAGES = {
    403: "Action non autorisée pour votre rôle.", 404: "Élément introuvable.", 409: "Conflit : l'élément a changé entre-temps, rechargez.",
    413: "Requête trop volumineuse.", 422: "Saisie refusée.", 429: "Trop de requêtes : patientez un instant.", 503: "Service momentanément indisponible : réessayez.",
  };
  async function api(path, options) {
    const opts = Object.assign({ method: "GET" }, options || {});
    const headers = { "Accept": "application/json", "X-CSRF-Token": ctx.csrf };
    if (opts.body !== undefined) { headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(opts.body); }
    opts.headers = headers;
    const response = await fetch(path, opts);
    if (response.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new Error("Session expirée."); }
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      // The French `message` of a refusal; else its `detail` (French on the security and HTTP refusals).
      const said = body && (typeof body.message === "string" ? body.message : typeof body.detail === "string" ? body.detail : null);
      const error = new Error(said || STATUS_MESSAGES[response.status] || "Erreur du serveur (" + response.status + ") : réessayez.");
      error.status = response.status;
      error.code = body && body.code ? body.code : null;  // a refusal's code, for the console to act on
      error.body = body;
      throw error;
    }
    return body;
  }

  // A file number as a link to the console where the person works on it (ARM: the call file, physician: the
  // regulation view); other roles see the number only.
  const FILE_VIEWS = { arm: "/console/arm", regulator: "/console/regulation" };
  function fileLink(number) {
    const view = FILE_VIEWS[ctx.role];
    if (!view) return el("span", number, "mono");
    return el("a", number, "mono file-link", { href: view + "?file=" + encodeURIComponent(number) });
  }
  function td(child, cls) { const cell = el("td", null, cls); cell.append(child); return cell; }
  // The file named in the page's address (`?file=…`), opened from a link.
  function fileParam() { return new URLSearchParams(location.search).get("file"); }

  // A confirmation before a life-critical step: a modal dialog listing what is missing; resolves true or false.
  function confirmDialog(title, items, confirmLabel, cancelLabel) {
    return new Promise((resolve) => {
      const dialog = el("dialog", null, "confirm", { "aria-label": title });
      const list = el("ul", null, "list compact gaps");
      for (const item of items) list.append(el("li", item));
      const yes = el("button", confirmLabel, "danger", { type: "button" });
      const no = el("button", cancelLabel || "Annuler", "secondary", { type: "button" });
      const actions = el("div", null, "row actions");
      actions.append(yes, no);
      dialog.append(el("h3", title), list, actions);
      const done = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
      yes.addEventListener("click", () => done(true));
      no.addEventListener("click", () => done(false));
      dialog.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
      document.body.append(dialog);
      dialog.showModal();
      no.focus();
    });
  }

  function toast(message, kind) {
    const box = document.getElementById("toasts");
    const item = el("div", message, "toast " + (kind || "error"), { role: "alert" });
    box.append(item);
    setTimeout(() => item.remove(), kind === "ok" ? 2500 : 6000);
  }
  // Run an action, report its failure in French, never leave the screen half-updated silently.
  async function attempt(action, okMessage) {
    try { const result = await action(); if (okMessage) toast(okMessage, "ok"); return result; }
    catch (err) { toast(err.message); return undefined; }
  }

  const codeCache = {};
  function codes(name) {
    if (!codeCache[name]) codeCache[name] = api("/api/codes/" + name);
    return codeCache[name];
  }
  async function fillSelect(select, name, options) {
    const list = await codes(name);
    const keep = select.value;
    select.replaceChildren(el("option", (options && options.placeholder) || "—", null, { value: "" }));
    for (const c of list) {
      const label = (c.level > 1 ? "\u00a0\u00a0" : "") + c.label + (options && options.showCode ? " (" + c.code + ")" : "");
      select.append(el("option", label, null, { value: c.code }));
    }
    select.value = keep;
  }

  // Live feed: one WebSocket, handlers by kind prefix; every handler also runs on reconnection ("resync").
  const handlers = [];
  const liveStatus = document.getElementById("live-status");
  const journal = document.getElementById("journal");
  function on(prefix, handler) { handlers.push([prefix, handler]); }
  function dispatch(event) {
    for (const [prefix, handler] of handlers) {
      if (event.kind === "resync" || event.kind.startsWith(prefix)) {
        try { handler(event); } catch (err) { console.error(err); }
      }
    }
  }
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live");
    ws.onopen = () => { liveStatus.dataset.state = "on"; liveStatus.textContent = "Flux temps réel : connecté"; dispatch({ kind: "resync" }); };
    ws.onclose = (closed) => {
      liveStatus.dataset.state = "off";
      if (closed.code === 1008) {  // the session ended (logout elsewhere, account disabled): log in again
        liveStatus.textContent = "Flux temps réel : session terminée";
        location.href = "/login?next=" + encodeURIComponent(location.pathname);
        return;
      }
      if (closed.code === 4429) {  // too many consoles open for this account: try again later
        liveStatus.textContent = "Flux temps réel : trop de consoles ouvertes pour ce compte";
        setTimeout(connect, 30000);
        return;
      }
      liveStatus.textContent = "Flux temps réel : reconnexion…";
      setTimeout(connect, 2000);
    };
    ws.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (journal && event.kind !== "hello") {
        const other = event.samu_id && event.samu_id !== ctx.samu ? " · SAMU " + event.samu_id : "";
        journal.prepend(el("li", time(new Date().toISOString()) + " — " + SisamuJournal.line(event) + other, null, { "data-kind": event.kind }));
        while (journal.children.length > 200) journal.lastChild.remove();
      }
      if (event.kind !== "hello") dispatch(event);
    };
  }

  // Keyboard shortcuts: a table shown in the help panel, handled in one place.
  const shortcuts = [];
  function shortcut(keys, label, action) { shortcuts.push({ keys, label, action }); }
  // With Ctrl or Alt, a letter or digit is named by its key on the keyboard (e.code), so that Ctrl+Maj+0 is
  // "Ctrl+Maj+0" whatever the layout makes of Maj+0 (")" in QWERTY, "à" in AZERTY).
  function keyName(e) {
    const physical = (e.ctrlKey || e.altKey) ? /^(?:Digit|Key)(.)$/.exec(e.code || "") : null;
    const key = physical ? physical[1] : e.key.length === 1 ? e.key.toUpperCase() : e.key;
    const shift = e.shiftKey && (physical || e.key.length > 1);
    return (e.ctrlKey ? "Ctrl+" : "") + (e.altKey ? "Alt+" : "") + (shift ? "Maj+" : "") + key;
  }
  document.addEventListener("keydown", (e) => {
    const name = keyName(e);
    const found = shortcuts.find((s) => s.keys === name);
    if (found) { e.preventDefault(); found.action(); }
  });
  function renderShortcuts(container) {
    container.replaceChildren(...shortcuts.map((s) => { const li = el("li"); li.append(el("kbd", s.keys), el("span", " " + s.label)); return li; }));
  }

  // Without a tile server, a base map of our own: the département's communes with their names (from zoom 11, where
  // they stop overlapping) and the main roads of the imported road graph, under everything else.
  const ROAD_STYLES = { motorway: ["#c0392b", 3], trunk: ["#d35400", 2.5], primary: ["#d4ac0d", 2], secondary: ["#7f8c8d", 1.5], tertiary: ["#aab7b8", 1] };
  async function offlineBase(map, departement) {
    map.createPane("base").style.zIndex = 250;
    const where = "/api/geo/departements/" + encodeURIComponent(departement);
    const [communes, roads] = await Promise.all([api(where + "/communes"), api(where + "/roads")]);
    const names = L.layerGroup();
    L.geoJSON(communes, {
      pane: "base", interactive: false, style: { color: "#9aa5b1", weight: 0.6, fillOpacity: 0 },
      onEachFeature: (feature, layer) => names.addLayer(L.tooltip({ permanent: true, direction: "center", className: "commune-label" })
        .setLatLng(layer.getBounds().getCenter()).setContent(tip(feature.properties.name))),
    }).addTo(map);
    L.geoJSON(roads, { pane: "base", interactive: false, style: (f) => { const [color, weight] = ROAD_STYLES[f.properties.class] || ["#aab7b8", 1]; return { color, weight }; } }).addTo(map);
    const showNames = () => { if (map.getZoom() >= 11) names.addTo(map); else names.remove(); };
    map.on("zoomend", showNames);
    showNames();
  }

  // Territory map: tiles when a tile server is configured, else the offline base; the département's outline,
  // hospitals; returns the Leaflet map.
  async function territoryMap(elementId, hospitalsList) {
    if (!ctx.samu) return null;
    const detail = await api("/api/samus/" + ctx.samu);
    if (hospitalsList) {
      hospitalsList.replaceChildren(...detail.hospitals.map((h) => el("li", h.name + " (" + h.kind + ")")));
      hospitalsList.append(...detail.smur_bases.map((b) => el("li", "Base SMUR : " + b.name + (b.helismur ? " · HéliSMUR" : ""))));
    }
    if (typeof L === "undefined") return null;
    const map = L.map(elementId, { attributionControl: true });
    if (ctx.tiles) L.tileLayer(ctx.tiles, { maxZoom: 18 }).addTo(map);
    const outline = await api("/api/geo/departements/" + detail.departement + "/outline");
    const layer = L.geoJSON(outline, { style: { color: "#c0392b", weight: 2, fillOpacity: 0.05 } }).addTo(map);
    map.fitBounds(layer.getBounds());
    if (!ctx.tiles) offlineBase(map, detail.departement).catch((e) => console.error("offline base map:", e));
    detail.hospitals.forEach((h) => L.circleMarker([h.lat, h.lon], { radius: 6, color: "#1b4f72" }).bindTooltip(tip(h.name)).addTo(map));
    return map;
  }

  async function loadInstructions() {
    const list = document.getElementById("instructions");
    if (!list || !ctx.samu) return;
    const items = await api("/api/samus/" + ctx.samu + "/instructions");
    list.replaceChildren(...items.map((i) => { const li = el("li"); li.append(el("div", i.body), el("div", time(i.created_at) + " · " + i.author, "meta")); return li; }));
  }
  function instructionsPanel() {
    on("room.instruction", () => loadInstructions().catch((e) => toast(e.message)));
    const form = document.getElementById("instruction-form");
    if (!form) return;
    const body = document.getElementById("instruction-body");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const ok = await attempt(() => api("/api/samus/" + ctx.samu + "/instructions", { method: "POST", body: { body: body.value } }));
      if (ok) body.value = "";
    });
    body.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) { e.stopPropagation(); form.requestSubmit(); } });
  }

  // A physician's alert, on every view: a P0 handed straight to physicians (départ réflexe) that nobody took yet.
  // A banner and a beep every few seconds until a physician takes it.
  const p0 = { banner: null, timer: null, audio: null, waiting: [] };
  function beep() {
    if (p0.banner) p0.banner.dataset.beeps = String(Number(p0.banner.dataset.beeps || "0") + 1);
    try {
      p0.audio = p0.audio || new AudioContext();
      if (p0.audio.state === "suspended") p0.audio.resume().catch(() => {});
      const osc = p0.audio.createOscillator();
      const gain = p0.audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(p0.audio.destination);
      osc.start();
      osc.stop(p0.audio.currentTime + 0.35);
    } catch (err) { console.warn("P0 sound unavailable", err); }
  }
  function renderP0() {
    if (!p0.waiting.length) {
      if (p0.banner) { p0.banner.remove(); p0.banner = null; }
      clearInterval(p0.timer); p0.timer = null;
      return;
    }
    if (!p0.banner) {
      p0.banner = el("div", null, "p0-alert", { id: "p0-alert", role: "alert" });
      root.before(p0.banner);
    }
    p0.banner.replaceChildren(el("span", "P0 — URGENCE VITALE en attente d'un médecin : "));
    p0.waiting.forEach((f, i) => {
      if (i) p0.banner.append(el("span", " · "));
      p0.banner.append(fileLink(f.number), el("span", " depuis " + duration(f.waiting_s)));
    });
    if (!p0.timer) { beep(); p0.timer = setInterval(beep, 4000); }
  }
  async function checkP0() {
    const queue = await api("/api/samus/" + ctx.samu + "/files/queue");
    p0.waiting = queue.filter((f) => f.step === "DIRECT" && f.priority === "P0");
    renderP0();
  }
  // Refetched (an audited read) only when it may change: on (re)connection, a P0's event, or while one waits.
  if (ctx.role === "regulator" && ctx.samu) on("case.", (event) => {
    if (event.kind === "resync" || p0.waiting.length || (event.data && event.data.priority === "P0")) checkP0().catch((e) => console.warn(e));
  });

  // Search panel: phone, patient name (fuzzy), commune (name or INSEE code), day, number — each search audited by
  // the server as a read of patient data. A file summary lists the file's number as a link to it.
  function summaryItem(f) {
    const li = el("li");
    li.append(fileLink(f.number), el("span", " · " + new Date(f.created_at).toLocaleString("fr-FR") + " · " + (f.priority || "—") + " · " + f.state
      + (f.motif ? " · " + f.motif : "") + (f.commune_name ? " · " + f.commune_name : "") + (f.caller_phone ? " · " + f.caller_phone : "")
      + (f.patients.length ? " · " + f.patients.join(", ") : "")));
    return li;
  }
  async function communeCode(text) {
    if (!text) return null;
    if (/^(\d[\dAB]\d{3})$/i.test(text)) return text.toUpperCase();
    const found = await api("/api/geo/communes?limit=1&q=" + encodeURIComponent(text) + (ctx.departement ? "&departement=" + encodeURIComponent(ctx.departement) : ""));
    if (!found.length) throw new Error("Commune « " + text + " » introuvable.");
    return found[0].insee;
  }
  function searchPanel() {
    const form = document.getElementById("search-form");
    if (!form || !ctx.samu) return;
    const value = (id) => document.getElementById(id).value.trim();
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      attempt(async () => {
        const params = new URLSearchParams();
        for (const [key, id] of [["phone", "search-phone"], ["name", "search-name"], ["day", "search-day"], ["number", "search-number"]]) if (value(id)) params.set(key, value(id));
        const commune = await communeCode(value("search-commune"));
        if (commune) params.set("commune", commune);
        if (![...params.keys()].length) throw new Error("Indiquez au moins un critère de recherche.");
        const found = await api("/api/samus/" + ctx.samu + "/files/search?" + params.toString());
        const list = document.getElementById("search-results");
        list.replaceChildren(...found.map(summaryItem));
        if (!found.length) list.append(el("li", "Aucun dossier trouvé.", "meta"));
      });
    });
  }

  // A mission's status (HubSante.statutVecteur) as the room says it.
  const MISSION_STATUS = {
    DECISION: "Engagement décidé", DECLENCHE: "Déclenché", DEPART: "Parti", ANNULE: "Annulé", ARRIVEE: "Sur les lieux",
    PEC: "Prise en charge", BILAN: "Bilan transmis", ORIENTAT: "Destination transmise", TRANSP: "En transport",
    ETAPE1: "Étape de transit 1", TRANSP2: "Reparti de l'étape 1", ETAPE2: "Étape de transit 2", TRANSP3: "Reparti de l'étape 2",
    DESTIN: "Arrivé à destination", FINPEC: "Fin de prise en charge", RETOUR: "Disponible", "RET-BASE": "Retour vers la base",
    "REN-BASE": "Rentré à la base",
  };
  function missionLabel(code) { return code ? (Object.hasOwn(MISSION_STATUS, code) ? MISSION_STATUS[code] : code) : "—"; }

  // The units engaged on a file, by name, with their status: shown beside the file (ARM, physician).
  let unitNames = null;
  async function fileMissions(list, number) {
    const missions = await api("/api/files/" + encodeURIComponent(number) + "/missions");
    if (!unitNames && missions.length) {
      unitNames = new Map((await api("/api/samus/" + ctx.samu + "/resources").catch(() => [])).map((u) => [u.resource_id, u.name]));
    }
    list.replaceChildren(...missions.map((m) => el("li", ((unitNames && unitNames.get(m.resource_id)) || m.resource_id) + " · " + missionLabel(m.status) + " depuis " + time(m.status_at), "mission-" + m.status, { "data-status": m.status })));
    if (!missions.length) list.append(el("li", "Aucun moyen engagé.", "meta"));
    return missions;
  }

  // Crisis banner, on every console of a room in crisis: what crisis, and a link to its log (main courante).
  const CRISIS_ROLES = ["arm", "regulator", "supervisor", "national"];
  let crisisBanner = null;
  async function loadCrisisBanner() {
    const crisis = await api("/api/samus/" + ctx.samu + "/crisis");
    if (!crisis) { if (crisisBanner) { crisisBanner.remove(); crisisBanner = null; } return; }
    if (!crisisBanner) {
      crisisBanner = el("div", null, "crisis-banner", { id: "crisis-banner", role: "status" });
      root.before(crisisBanner);
    }
    crisisBanner.dataset.crisis = String(crisis.crisis_id);
    crisisBanner.replaceChildren(el("span", "CRISE EN COURS — " + crisis.kind_label + ", niveau " + crisis.level + " — " + crisis.place + " : " + crisis.title + " · dossiers " + crisis.attribution));
    if (CRISIS_ROLES.includes(ctx.role)) crisisBanner.append(el("a", "Main courante", null, { href: "/console/crisis?crisis=" + crisis.crisis_id + (ctx.role === "national" ? "&samu=" + encodeURIComponent(ctx.samu) : "") }));
  }
  function crisisWatch() {
    if (!ctx.samu) return;
    on("crisis.changed", () => loadCrisisBanner().catch((e) => console.warn(e)));
  }

  function start() { searchPanel(); crisisWatch(); connect(); }
  return { ctx, el, tip, time, duration, since, fileStatus, api, toast, fileLink, td, fileParam, confirmDialog, summaryItem, fileMissions, missionLabel, attempt, codes, fillSelect, on, shortcut, renderShortcuts, territoryMap, instructionsPanel, loadInstructions, start };
})();
