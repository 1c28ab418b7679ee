// sisamu — crisis console: the crises one takes part in, opening and closing one, reinforcements, and the crisis
// log (main courante) with its entry form, filters and search, live. Text only ever reaches the page as text.
"use strict";
(function () {
  const S = Sisamu;
  const $ = (id) => document.getElementById(id);
  const listPanel = $("panel-crises");
  const state = { crises: [], current: null, params: new URLSearchParams(location.search) };
  const VERIF = { non_verifiee: "non vérifiée", confirmee: "confirmée", infirmee: "infirmée" };

  function dateTime(iso) { return iso ? new Date(iso).toLocaleString("fr-FR", { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" }) : "—"; }

  async function loadCrises() {
    state.crises = await S.api("/api/crises?all=true");
    const wanted = state.current ? state.current.crisis_id : Number(state.params.get("crisis")) || null;
    const pick = state.crises.find((c) => c.crisis_id === wanted) || state.crises.find((c) => c.open) || null;
    $("crises").replaceChildren(...state.crises.map((c) => {
      const li = S.el("li", null, null, { "data-crisis": String(c.crisis_id), "aria-current": pick && pick.crisis_id === c.crisis_id ? "true" : "false" });
      const button = S.el("button", "n° " + c.crisis_id + " · " + c.kind_label + " · " + c.place, "link", { type: "button" });
      button.addEventListener("click", () => { select(c.crisis_id).catch((e) => S.toast(e.message)); });
      li.append(button, S.el("span", " " + (c.open ? "en cours" : "close") + " · SAMU " + c.samus.join(", "), "meta"));
      return li;
    }));
    if (!state.crises.length) $("crises").append(S.el("li", "Aucune crise.", "meta"));
    if (pick) await select(pick.crisis_id);
    else { state.current = null; $("panel-crisis").hidden = true; $("panel-log").hidden = true; document.dispatchEvent(new CustomEvent("sisamu:crisis", { detail: null })); }
  }

  async function select(crisisId) {
    const crisis = await S.api("/api/crises/" + crisisId);
    const switching = !state.current || state.current.crisis_id !== crisisId;
    state.current = crisis;
    for (const li of $("crises").children) li.setAttribute("aria-current", li.dataset.crisis === String(crisisId) ? "true" : "false");
    $("panel-crisis").hidden = false;
    $("panel-log").hidden = false;
    $("crisis-state").textContent = crisis.open ? "en cours" : "close";
    $("crisis-heading").textContent = crisis.kind_label + ", niveau " + crisis.level + " — " + crisis.place + " : " + crisis.title;
    $("crisis-meta").textContent = "Crise n° " + crisis.crisis_id + " · " + (crisis.scope === "samu" ? "SAMU" : crisis.scope === "regional" ? "régionale" : "nationale")
      + " · SAMU " + crisis.samus.join(", ") + " · dossiers " + crisis.attribution + (crisis.pooling_switched ? " · mutualisation nationale" : "")
      + " · ouverte le " + dateTime(crisis.opened_at) + " par " + crisis.opened_by + (crisis.closed_at ? " · close le " + dateTime(crisis.closed_at) + " par " + crisis.closed_by : "");
    $("crisis-summary").textContent = crisis.summary ? "Bilan : " + crisis.summary : "";
    if (switching) $("handover").hidden = true;
    $("close-crisis").hidden = !(crisis.open && crisis.can_manage);
    $("add-reinforcement").hidden = !(crisis.open && crisis.can_manage);
    $("entry-form").hidden = !crisis.open;
    $("log-csv").href = "/api/crises/" + crisis.crisis_id + "/log.csv";
    await Promise.all([loadLog(), loadReinforcements()]);
    document.dispatchEvent(new CustomEvent("sisamu:crisis", { detail: crisis }));  // the victims panel follows
  }

  async function loadReinforcements() {
    if (!state.current) return;
    const people = await S.api("/api/crises/" + state.current.crisis_id + "/reinforcements");
    $("reinforcements").replaceChildren(...people.map((r) => {
      const li = S.el("li", r.display_name + " (" + r.username + ", " + r.role + ", SAMU " + (r.home_samu_id || "—") + ") depuis " + dateTime(r.joined_at) + (r.revoked_at ? " · fin " + dateTime(r.revoked_at) : ""));
      if (!r.revoked_at && state.current.can_manage && state.current.open) {
        const end = S.el("button", "Fin du renfort", null, { type: "button" });
        end.addEventListener("click", () => S.attempt(() => S.api("/api/crises/" + state.current.crisis_id + "/reinforcements/" + encodeURIComponent(r.username), { method: "DELETE" })));
        li.append(" ", end);
      }
      return li;
    }));
    if (!people.length) $("reinforcements").append(S.el("li", "Aucun renfort.", "meta"));
  }

  function filters() {
    const params = new URLSearchParams();
    for (const [key, id] of [["q", "filter-q"], ["verification", "filter-verification"], ["source", "filter-source"]]) {
      const value = $(id).value.trim();
      if (value) params.set(key, value);
    }
    return params.toString();
  }

  function verifyButton(entry, status, label) {
    const button = S.el("button", label, "small", { type: "button", "data-verify": status });
    button.addEventListener("click", () => S.attempt(() => S.api("/api/crises/" + state.current.crisis_id + "/log/" + entry.seq + "/verification", { method: "POST", body: { verification: status } })));
    return button;
  }

  // A file linked in the log opens in the console where the person works on it (ARM, physician).
  function infoCell(e, info) {
    const cell = S.el("td", info);
    if (e.link_kind === "file" && e.link_id) cell.append(" ", S.fileLink(e.link_id));
    return cell;
  }

  async function loadLog() {
    if (!state.current) return;
    const query = filters();
    const entries = await S.api("/api/crises/" + state.current.crisis_id + "/log" + (query ? "?" + query : ""));
    $("log-count").textContent = String(entries.length);
    // An information's current status: the newest verification entry referring to it (entries come newest first).
    const current = new Map();
    for (const e of entries) if (e.refers_to && !current.has(e.refers_to)) current.set(e.refers_to, e);
    $("log").tBodies[0].replaceChildren(...entries.map((e) => {
      const tr = S.el("tr", null, e.link_kind ? "linked" : null, { "data-seq": String(e.seq), "data-verification": e.verification, "data-current": current.has(e.seq) ? current.get(e.seq).verification : e.verification });
      const info = e.refers_to ? "↳ n° " + e.refers_to + " : " + e.information : e.information;
      const actions = S.el("td");
      if (state.current.open && !e.refers_to && !e.link_kind) actions.append(verifyButton(e, "confirmee", "Confirmer"), " ", verifyButton(e, "infirmee", "Infirmer"));
      tr.append(S.el("td", String(e.seq), "mono"), S.el("td", S.time(e.at)), S.el("td", e.author + (e.author_samu_id ? " (" + e.author_samu_id + ")" : "")),
        S.el("td", e.source), infoCell(e, info), S.el("td", (e.verification_label || VERIF[e.verification]) + (current.has(e.seq) ? " → " + current.get(e.seq).verification_label + " (n° " + current.get(e.seq).seq + ")" : ""), "status"), S.el("td", e.decision), S.el("td", e.action),
        S.el("td", e.owner), S.el("td", e.due_at ? dateTime(e.due_at) : ""), actions);
      return tr;
    }));
  }

  // ---- handover (relève) ----
  async function showHandover() {
    const h = await S.api("/api/crises/" + state.current.crisis_id + "/handover?hours=8");
    $("handover").hidden = false;
    $("handover-counts").textContent = "Depuis " + dateTime(h.since) + " : " + h.entries + " entrée(s), " + h.files + " dossier(s), " + h.missions + " mouvement(s) de moyens.";
    const fill = (id, items, text) => {
      $(id).replaceChildren(...items.map((e) => S.el("li", "n° " + e.seq + " · " + text(e))));
      if (!items.length) $(id).append(S.el("li", "Rien.", "meta"));
    };
    fill("handover-unverified", h.unverified, (e) => e.source + " : " + e.information);
    fill("handover-due", h.due, (e) => dateTime(e.due_at) + " · " + e.information + (e.owner ? " (" + e.owner + ")" : ""));
    fill("handover-decisions", h.decisions, (e) => S.time(e.at) + " · " + e.decision + (e.action ? " — " + e.action : ""));
  }
  $("handover-run").addEventListener("click", () => showHandover().catch((e) => S.toast(e.message)));

  // ---- forms ----
  const openForm = $("open-crisis");
  if (openForm) openForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      kind: $("crisis-kind").value, level: Number($("crisis-level").value), title: $("crisis-title").value, place: $("crisis-place").value,
      pooling: $("crisis-pooling").checked,
    };
    if ($("crisis-attribution").value) body.attribution = $("crisis-attribution").value;
    if ($("crisis-samus") && $("crisis-samus").value.trim()) body.samus = $("crisis-samus").value.trim().split(/[\s,;]+/);
    const ok = await S.attempt(async () => { const c = await S.api("/api/crises", { method: "POST", body }); state.current = c; return c; }, "Crise ouverte.");
    if (ok) { openForm.reset(); $("open-crisis-box").open = false; await loadCrises(); }
  });
  $("close-crisis").addEventListener("submit", async (e) => {
    e.preventDefault();
    const ok = await S.attempt(() => S.api("/api/crises/" + state.current.crisis_id + "/close", { method: "POST", body: { summary: $("close-summary").value } }), "Crise close.");
    if (ok) $("close-summary").value = "";
  });
  $("add-reinforcement").addEventListener("submit", async (e) => {
    e.preventDefault();
    const ok = await S.attempt(() => S.api("/api/crises/" + state.current.crisis_id + "/reinforcements", { method: "POST", body: { username: $("reinforcement-username").value.trim() } }), "Renfort ajouté.");
    if (ok) $("reinforcement-username").value = "";
  });
  $("entry-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const due = $("entry-due").value;
    const body = {
      source: $("entry-source").value, information: $("entry-information").value, verification: $("entry-verification").value,
      decision: $("entry-decision").value, action: $("entry-action").value, owner: $("entry-owner").value,
      due_at: due ? new Date(due).toISOString() : null,
    };
    const ok = await S.attempt(() => S.api("/api/crises/" + state.current.crisis_id + "/log", { method: "POST", body }));
    if (ok) for (const id of ["entry-information", "entry-decision", "entry-action", "entry-owner", "entry-due"]) $(id).value = "";
  });
  $("log-filters").addEventListener("submit", (e) => { e.preventDefault(); loadLog().catch((err) => S.toast(err.message)); });

  // ---- live ----
  S.on("crisis.log", (event) => { if (event.kind === "resync" || (state.current && event.id === String(state.current.crisis_id))) loadLog().catch((e) => S.toast(e.message)); });
  S.on("crisis.changed", () => loadCrises().catch((e) => S.toast(e.message)));
  listPanel.dataset.ready = "yes";
  S.start();
})();
