// Audit review: the trail of the SAMUs this auditor may read, filtered and paginated, and the chain's verification
// on demand. Every reading is itself recorded in the trail. Entries are shown as text, never as markup.
"use strict";
(function () {
  const S = Sisamu;
  const PAGE = 50;
  const ROLES = { arm: "ARM", regulator: "Médecin régulateur", supervisor: "Superviseur", crew: "Équipage", partner: "Partenaire",
    national: "Opérateur national", analyst: "Analyste", admin: "Administrateur", auditor: "Auditeur", system: "Système" };
  const samuFilter = document.getElementById("filter-samu");
  let offset = 0;
  let total = 0;

  function field(id) { return document.getElementById(id).value.trim(); }
  function moment(id) { const v = field(id); return v ? new Date(v).toISOString() : ""; }
  function query() {
    const params = new URLSearchParams();
    const named = { samu: samuFilter ? samuFilter.value : "", actor: field("filter-actor"), action: field("filter-action"),
      subject: field("filter-subject"), since: moment("filter-since"), until: moment("filter-until") };
    for (const [k, v] of Object.entries(named)) if (v) params.set(k, v);
    params.set("offset", String(offset));
    params.set("limit", String(PAGE));
    return params.toString();
  }

  function row(e) {
    const tr = S.el("tr");
    tr.append(
      S.el("td", new Date(e.at).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "medium" })),
      S.el("td", e.samu_id === "*" ? "plateforme" : e.samu_id), S.el("td", String(e.seq)),
      S.el("td", e.actor, "mono"), S.el("td", ROLES[e.role] || e.role), S.el("td", e.action, "mono"),
      S.el("td", e.object_type + " " + e.object_id, "mono"),
      S.el("td", Object.keys(e.detail).length ? JSON.stringify(e.detail) : "", "mono meta"),
    );
    return tr;
  }

  async function load() {
    const page = await S.api("/api/audit?" + query());
    total = page.total;
    document.querySelector("#audit-entries tbody").replaceChildren(...page.entries.map(row));
    document.getElementById("audit-count").textContent = total + " entrée(s)";
    const last = Math.min(offset + page.entries.length, total);
    document.getElementById("audit-page").textContent = total ? (offset + 1) + "–" + last + " sur " + total : "Aucune entrée.";
    document.getElementById("audit-prev").disabled = offset === 0;
    document.getElementById("audit-next").disabled = last >= total;
  }
  const refresh = () => load().catch((e) => S.toast(e.message));

  document.getElementById("audit-filters").addEventListener("submit", (e) => { e.preventDefault(); offset = 0; refresh(); });
  document.getElementById("audit-prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); refresh(); });
  document.getElementById("audit-next").addEventListener("click", () => { if (offset + PAGE < total) { offset += PAGE; refresh(); } });

  const status = document.getElementById("verify-status");
  const run = document.getElementById("verify-run");
  run.addEventListener("click", async () => {
    run.disabled = true;
    status.dataset.state = "running";
    status.textContent = "Vérification en cours…";
    const samu = samuFilter && samuFilter.value ? "?samu=" + encodeURIComponent(samuFilter.value) : "";
    const result = await S.attempt(() => S.api("/api/audit/verify" + samu, { method: "POST" }));
    run.disabled = false;
    if (!result) { status.dataset.state = "unknown"; status.textContent = "Vérification impossible."; return; }
    status.dataset.state = result.intact ? "intact" : "altered";
    status.textContent = result.summary;
    document.getElementById("verify-problems").replaceChildren(...result.problems.map((p) =>
      S.el("li", (p.samu_id === "*" ? "plateforme" : "SAMU " + p.samu_id) + " · entrée n° " + p.seq + " : " + p.reason_fr)));
    refresh();
  });

  refresh();
  S.start();
})();
