// Hospital capacity in crisis (EDXL-HAVE fields): every hospital's beds by category and statuses, stale figures
// flagged; a hospital's account or the supervisor reports them; the table follows the live feed. Text reaches the
// page as text only (DOM nodes, textContent).
"use strict";
(function () {
  const S = Sisamu;
  if (!S.ctx.samu) { S.start(); return; }
  const base = "/api/samus/" + S.ctx.samu + "/hospitals";
  const ORDER = ["UA", "UR", "REA", "BLOC", "BRULES", "PEDIATRIE"];
  const select = document.getElementById("capacity-hospital");
  const form = document.getElementById("capacity-form");
  let codes = null;
  let states = [];
  let formVersion = null;  // the version the form shows, sent back: a change made meanwhile is refused (409)
  let dirty = false;  // the person is typing: a live update must not overwrite the form (a stale version gets 409)

  function option(code, label) { return S.el("option", label, null, { value: code }); }
  function count(state, kind) {
    const beds = state.beds[kind];
    if (!beds) return "—";
    return beds.baseline === null ? String(beds.available) : beds.available + " / " + beds.baseline;
  }
  function updated(state) {
    if (!state.reported) return "Jamais déclaré";
    return new Date(state.updated_at).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" }) + " · " + state.updated_by;
  }
  function row(state) {
    const tr = S.el("tr", null, state.stale ? "stale" : "", { "data-hospital": state.hospital_id });
    const when = S.el("td", updated(state), "meta");
    if (state.stale) when.append(" ", S.el("span", "chiffres anciens", "badge warn"));
    tr.append(S.el("td", state.name), ...ORDER.map((k) => S.el("td", count(state, k), "num", { "data-bed": k })),
      S.el("td", state.reported ? state.ed_label : "—", "ed-" + state.ed_status),
      S.el("td", state.reported ? state.facility_label : "—"),
      S.el("td", state.reported ? state.plan_blanc_label : "—"), when);
    return tr;
  }

  function fillForm() {
    const state = states.find((s) => s.hospital_id === select.value);
    if (!state) return;
    formVersion = state.version;
    const body = document.querySelector("#capacity-beds tbody");
    body.replaceChildren(...codes.bed_types.map((b) => {
      const beds = state.beds[b.code] || { available: "", baseline: "" };
      const tr = S.el("tr");
      const free = S.el("input", null, null, { type: "number", min: "0", max: "5000", id: "beds-" + b.code, "aria-label": b.label + " disponibles" });
      const usual = S.el("input", null, null, { type: "number", min: "0", max: "5000", id: "baseline-" + b.code, "aria-label": b.label + " habituels" });
      free.value = beds.available === null ? "" : String(beds.available);
      usual.value = beds.baseline === null ? "" : String(beds.baseline);
      tr.append(S.el("td", b.label), S.td(free), S.td(usual));
      return tr;
    }));
    document.getElementById("capacity-ed").value = state.ed_status;
    document.getElementById("capacity-facility").value = state.reported ? state.facility_status : "NORMAL";
    document.getElementById("capacity-plan").value = String(state.plan_blanc);
    document.getElementById("capacity-last").textContent = "Dernière mise à jour : " + updated(state) + (state.stale ? " (chiffres anciens)" : "");
    loadHistory().catch((e) => S.toast(e.message));
  }

  async function loadHistory() {
    if (!select.value) return;
    const items = await S.api(base + "/" + encodeURIComponent(select.value) + "/status/history?limit=20");
    document.getElementById("capacity-history").replaceChildren(...items.map((h) => {
      const beds = ORDER.filter((k) => h.state.beds[k]).map((k) => k + " " + h.state.beds[k].available).join(" · ");
      return S.el("li", new Date(h.at).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "medium" }) + " · v" + h.version
        + " · " + h.author + (h.cause === "ALLOCATION" ? " (orientation confirmée)" : "") + " · " + beds + " · urgences " + h.state.ed_status);
    }));
  }

  async function load() {
    if (!codes) {
      codes = await S.api(base + "/status/codes");
      document.getElementById("capacity-ed").replaceChildren(...codes.ed_statuses.map((c) => option(c.code, c.label)));
      document.getElementById("capacity-facility").replaceChildren(...codes.facility_statuses.map((c) => option(c.code, c.label)));
      document.getElementById("capacity-plan").replaceChildren(...codes.plan_blanc.map((c) => option(c.code, c.label)));
      document.getElementById("capacity-stale-note").textContent = "signalées anciennes au-delà de " + Math.round(codes.stale_after_s / 60) + " min";
    }
    states = await S.api(base + "/status");
    document.querySelector("#capacity-table tbody").replaceChildren(...states.map(row));
    const keep = select.value;
    select.replaceChildren(...states.map((s) => option(s.hospital_id, s.name)));
    if (keep && states.some((s) => s.hospital_id === keep)) select.value = keep;
    if (!dirty) fillForm();
    else loadHistory().catch((e) => S.toast(e.message));
    await loadAllocations();
  }
  // One load at a time, the last one after any that arrived meanwhile: an older answer never overwrites a newer.
  let loading = null;
  let again = false;
  function reload() {
    if (loading) { again = true; return; }
    loading = load().catch((e) => S.toast(e.message)).finally(() => {
      loading = null;
      if (again) { again = false; reload(); }
    });
  }

  function number(id) {
    const text = document.getElementById(id).value.trim();
    return text === "" ? null : Number(text);
  }
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const state = states.find((s) => s.hospital_id === select.value);
    if (!state) return;
    const beds = {};
    for (const b of codes.bed_types) {
      const available = number("beds-" + b.code);
      if (available !== null) beds[b.code] = { available, baseline: number("baseline-" + b.code) };
    }
    const body = { beds, ed_status: document.getElementById("capacity-ed").value,
      facility_status: document.getElementById("capacity-facility").value,
      plan_blanc: Number(document.getElementById("capacity-plan").value), version: formVersion };
    S.attempt(async () => {
      await S.api(base + "/" + encodeURIComponent(state.hospital_id) + "/status", { method: "PUT", body });
      dirty = false;
      reload();
    }, "Capacités enregistrées.");
  });
  // Victims sent (staff: all of the SAMU's; a hospital: those sent to it) and, for a regulator, the assistant.
  const names = () => new Map(states.map((s) => [s.hospital_id, s.name]));
  async function loadAllocations() {
    const panel = document.getElementById("panel-allocations");
    if (panel.hidden) return;
    let sent;
    try { sent = await S.api("/api/samus/" + S.ctx.samu + "/allocations"); }
    catch (err) { if (err.status === 403 || err.status === 404) { panel.hidden = true; return; } throw err; }
    const known = names();
    document.querySelector("#allocations tbody").replaceChildren(...sent.map((a) => {
      const tr = S.el("tr");
      tr.append(S.el("td", a.victim_id, "mono"), S.el("td", a.triage), S.el("td", known.get(a.hospital_id) || a.hospital_id),
        S.el("td", a.bed_type), S.el("td", S.time(a.decided_at) + " · " + a.decided_by, "meta"));
      return tr;
    }));
  }
  const victims = [];
  let proposal = null;
  const victimForm = document.getElementById("victim-form");
  function renderVictims() {
    document.querySelector("#victims tbody").replaceChildren(...victims.map((v) => {
      const tr = S.el("tr");
      tr.append(S.el("td", v.victim_id, "mono"), S.el("td", v.triage), S.el("td", v.needs.join(", ") || "—"), S.el("td", v.lat.toFixed(4) + ", " + v.lon.toFixed(4), "meta"));
      return tr;
    }));
  }
  if (victimForm) {
    victimForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const needs = [];
      if (document.getElementById("victim-burns").checked) needs.push("BRULURES");
      if (document.getElementById("victim-child").checked) needs.push("PEDIATRIE");
      victims.push({ victim_id: document.getElementById("victim-id").value.trim(), triage: document.getElementById("victim-triage").value,
        needs, lat: Number(document.getElementById("victim-lat").value), lon: Number(document.getElementById("victim-lon").value) });
      document.getElementById("victim-id").value = "";
      renderVictims();
    });
    const confirmButton = document.getElementById("allocation-confirm");
    document.getElementById("allocation-propose").addEventListener("click", () => S.attempt(async () => {
      if (!victims.length) throw new Error("Ajoutez au moins une victime.");
      proposal = await S.api("/api/samus/" + S.ctx.samu + "/allocations/proposals", { method: "POST", body: { victims } });
      document.querySelector("#proposal tbody").replaceChildren(...proposal.placements.map((p) => {
        const tr = S.el("tr", null, null, { "data-victim": p.victim_id });
        tr.append(S.el("td", p.victim_id + " (" + p.triage + ")", "mono"), S.el("td", p.hospital_name + (p.stale ? " — chiffres anciens" : "")),
          S.el("td", p.bed_type), S.el("td", S.duration(p.travel_s)));
        return tr;
      }));
      document.getElementById("unplaced").replaceChildren(...proposal.unplaced.map((u) => S.el("li", u.victim_id + " : " + u.reason)));
      confirmButton.disabled = !proposal.placements.length;
    }));
    confirmButton.addEventListener("click", () => S.attempt(async () => {
      if (!proposal || !proposal.placements.length) return;
      const allocations = proposal.placements.map((p) => ({ victim_id: p.victim_id, triage: p.triage, hospital_id: p.hospital_id, bed_type: p.bed_type, travel_s: p.travel_s }));
      try {
        await S.api("/api/samus/" + S.ctx.samu + "/allocations", { method: "POST", body: { allocations } });
      } finally {
        proposal = null;
        confirmButton.disabled = true;
      }
      const sent = new Set(allocations.map((a) => a.victim_id));
      victims.splice(0, victims.length, ...victims.filter((v) => !sent.has(v.victim_id)));
      renderVictims();
      document.querySelector("#proposal tbody").replaceChildren();
      document.getElementById("unplaced").replaceChildren();
      reload();
    }, "Orientation confirmée."));
  }

  select.addEventListener("change", () => { dirty = false; fillForm(); });
  S.on("hospital.", reload);
  reload();
  S.start();
})();
