// sisamu — the victims panel of the crisis console: register a victim by typing or scanning its SINUS bracelet (a QR
// scanner types the payload and Enter), the registry live, triage and status changes, evacuation and destination,
// duplicate-person candidates, the SI-VIC and information-cell exports. Text only ever reaches the page as text.
"use strict";
(function () {
  const S = Sisamu;
  const $ = (id) => document.getElementById(id);
  const state = { crisis: null, victims: [], loading: null, again: false, drafts: new Map() };
  const TRIAGE = { EU: "EU — extrême urgence", UA: "UA — urgence absolue", UR: "UR — urgence relative", IMPLIQUE: "impliqué", DCD: "DCD — décédé" };
  const VECTORS = { SMUR: "SMUR", VSAV: "VSAV", AMBULANCE: "ambulance privée", HELICO: "hélicoptère", MOYENS_PROPRES: "moyens propres", AUTRE: "autre" };
  const NEXT = { site: [["pma", "Au PMA"]], pma: [], evacuated: [["admitted", "Admise"]], admitted: [] };

  function base() { return "/api/crises/" + state.crisis.crisis_id + "/victims"; }

  function select(options, value, attrs) {
    const s = S.el("select", null, null, attrs);
    for (const [code, label] of Object.entries(options)) s.append(S.el("option", label, null, { value: code }));
    s.value = value || "";
    return s;
  }

  async function change(v, body, ok) {
    const done = await S.attempt(() => S.api(base() + "/" + encodeURIComponent(v.number), { method: "PATCH", body: Object.assign({ version: v.version }, body) }), ok);
    if (!done) await load().catch((e) => S.toast(e.message));  // a stale version: show what is there now
  }

  function identity(v) {
    const name = [v.last_name, v.first_name].filter(Boolean).join(" ");
    const traits = [v.sex, v.birth_date || (v.age_band ? v.age_band + " ans" : null)].filter(Boolean).join(", ");
    return (name || "identité inconnue") + (traits ? " (" + traits + ")" : "");
  }

  function evacuation(v) {
    const cell = S.el("td");
    if (v.status === "evacuated" || v.status === "admitted") {
      cell.textContent = (VECTORS[v.vector] || "—") + " → " + (v.destination_name || v.destination || "—");
      return cell;
    }
    const draft = state.drafts.get(v.number) || {};  // what the person was typing when the table was redrawn
    const vector = select(Object.assign({ "": "vecteur" }, VECTORS), draft.vector !== undefined ? draft.vector : v.vector, { "aria-label": "Vecteur", "data-field": "vector", "data-saved": v.vector || "" });
    const dest = S.el("input", null, null, { list: "victim-destinations", "aria-label": "Destination", "data-field": "destination", maxlength: "80", placeholder: "établissement", "data-saved": v.destination || "" });
    dest.value = draft.destination !== undefined ? draft.destination : v.destination || "";
    const go = S.el("button", "Évacuer", "small", { type: "button" });
    go.addEventListener("click", () => change(v, { vector: vector.value || null, destination: dest.value.trim() || null, status: "evacuated" }, "Évacuation enregistrée."));
    cell.append(vector, " ", dest, " ", go);
    return cell;
  }

  function row(v, doubles) {
    const tr = S.el("tr", null, doubles.has(v.number) ? "duplicate" : null, { "data-number": v.number, "data-status": v.status, "data-triage": v.triage });
    const triage = select(TRIAGE, v.triage, { "aria-label": "Catégorie", "data-field": "triage" });
    triage.disabled = !state.crisis.open;
    triage.addEventListener("change", () => change(v, { triage: triage.value }));
    const history = v.history.length > 1 ? " (" + v.history.map((h) => h.triage).join(" → ") + ")" : "";
    const place = [v.site, v.pma ? "PMA " + v.pma : null].filter(Boolean).join(" · ") || "—";
    const actions = S.el("td");
    if (state.crisis.open) {
      for (const [status, label] of NEXT[v.status]) {
        const b = S.el("button", label, "small", { type: "button", "data-status": status });
        b.addEventListener("click", () => change(v, { status }));
        actions.append(b, " ");
      }
    }
    const number = S.el("td", v.number, "mono");
    if (v.file_number) number.append(" ", S.fileLink(v.file_number));
    tr.append(number, S.el("td", null, null), S.el("td", identity(v) + (doubles.has(v.number) ? " — doublon possible avec " + doubles.get(v.number) : "")),
      S.el("td", place), S.el("td", v.status_label, "status"), state.crisis.open ? evacuation(v) : S.el("td", (VECTORS[v.vector] || "") + (v.destination_name ? " → " + v.destination_name : "")), actions);
    tr.children[1].append(triage, S.el("span", history, "meta"));
    return tr;
  }

  // Live events come in bursts (twenty people registering): one reading at a time, and one more after it when
  // events came meanwhile — each drawing is newer than the last, and a burst costs two readings, not twenty.
  async function load() {
    if (state.loading) { state.again = true; return state.loading; }
    state.loading = (async () => {
      try {
        do { state.again = false; await draw(); } while (state.again);
      } finally { state.loading = null; }
    })();
    return state.loading;
  }

  async function draw() {
    if (!state.crisis) return;
    const [victims, pairs] = await Promise.all([S.api(base()), S.api(base() + "/duplicates")]);
    state.victims = victims;
    const doubles = new Map();
    for (const p of pairs) { doubles.set(p.first.number, p.second.number); doubles.set(p.second.number, p.first.number); }
    $("victims-count").textContent = String(victims.length);
    const count = (key) => victims.filter((v) => v.triage === key).length;
    $("victims-summary").textContent = Object.keys(TRIAGE).map((k) => k + " " + count(k)).join(" · ")
      + " · évacuées " + victims.filter((v) => v.status === "evacuated").length + " · admises " + victims.filter((v) => v.status === "admitted").length;
    $("victims-duplicates").replaceChildren(...pairs.map((p) => S.el("li", "Doublon possible : " + p.first.number + " et " + p.second.number + " — " + identity(p.first) + " / " + identity(p.second) + " (à vérifier, rien n'est fusionné)")));
    state.drafts = new Map();
    for (const field of $("victims").querySelectorAll("[data-field=vector], [data-field=destination]")) {
      if (field.value !== field.dataset.saved) {
        const number = field.closest("tr").dataset.number;
        state.drafts.set(number, Object.assign(state.drafts.get(number) || {}, { [field.dataset.field]: field.value }));
      }
    }
    $("victims").tBodies[0].replaceChildren(...victims.map((v) => row(v, doubles)));
  }

  async function loadDestinations() {
    const found = await S.api(base() + "/destinations");
    $("victim-destinations").replaceChildren(...found.map((h) => S.el("option", h.name, null, { value: h.hospital_id })));
  }

  document.addEventListener("sisamu:crisis", (event) => {
    const switching = !state.crisis || !event.detail || state.crisis.crisis_id !== event.detail.crisis_id;
    state.crisis = event.detail;
    $("panel-victims").hidden = !state.crisis;
    if (!state.crisis) return;
    $("victim-form").hidden = !state.crisis.open;
    $("victims-sivic").href = base() + "/sivic.csv";
    $("victims-cell").href = base() + "/information-cell.csv";
    load().catch((e) => S.toast(e.message));
    if (switching) loadDestinations().catch((e) => console.warn(e));
  });

  $("victim-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const who = { last_name: $("victim-last-name").value.trim() || null, first_name: $("victim-first-name").value.trim() || null, sex: $("victim-sex").value || null, age_band: $("victim-age").value || null };
    const body = { bracelet: $("victim-bracelet").value.trim() || null, triage: $("victim-triage").value, site: $("victim-site").value.trim() || null, pma: $("victim-pma").value.trim() || null };
    if (Object.values(who).some(Boolean)) body.identity = who;
    const done = await S.attempt(() => S.api(base(), { method: "POST", body }), "Victime enregistrée.");
    if (done) {
      for (const id of ["victim-bracelet", "victim-last-name", "victim-first-name"]) $(id).value = "";
      $("victim-sex").value = ""; $("victim-age").value = "";
      $("victim-bracelet").focus();  // ready for the next bracelet (site and PMA are kept)
    }
  });

  S.on("crisis.victims", (event) => { if (event.kind === "resync" || (state.crisis && event.id === String(state.crisis.crisis_id))) load().catch((e) => S.toast(e.message)); });
})();
