// Mutual aid between SAMUs (entraide, Hub Santé RS-DR / RS-RR) on the supervisor's screen: the requests other SAMUs
// sent to this room, still to answer, and the answer (accepted, partly, refused, deferred), confirmed before it goes
// back through the Hub. The server checks who may answer (the SAMU's supervisor or physician) and audits it.
// The partner's words (freetext) reach the page as text only.
"use strict";
(function () {
  const S = Sisamu;
  const samu = S.ctx.samu;
  const list = document.getElementById("mutual-aid");
  if (!samu || !list) return;
  const base = "/api/samus/" + samu + "/mutual-aid";
  const ANSWERS = { ACCEPTEE: "Acceptée", PARTIELLE: "Acceptée en partie", REFUSEE: "Refusée", DIFFEREE: "Différée" };
  const may = ["supervisor", "regulator"].includes(S.ctx.role);

  function partnerName(hubId) { const m = /samu(\w+)$/.exec(hubId || ""); return m ? "SAMU " + m[1] : hubId; }
  function item(r) {
    const li = S.el("li", null, "mutual-aid-request", { "data-request": r.request_id });
    const q = r.request || {};
    li.append(S.el("div", partnerName(r.partner) + " demande : " + (q.purpose || "—") + (q.deadline ? " · délai " + q.deadline : "")
      + (q.convention ? " · cadre " + q.convention : "") + (r.number ? " · dossier " + r.number : "")));
    if (q.freetext) li.append(S.el("div", q.freetext, "meta"));
    li.append(S.el("div", "Reçue à " + S.time(r.created_at), "meta"));
    if (!may) return li;
    const form = S.el("form", null, "row");
    const answer = S.el("select", null, null, { "aria-label": "Réponse à la demande de " + partnerName(r.partner) });
    for (const [code, label] of Object.entries(ANSWERS)) answer.append(S.el("option", label, null, { value: code }));
    const note = S.el("input", null, "grow", { "aria-label": "Précision pour " + partnerName(r.partner), maxlength: "500", placeholder: "Précision (facultatif)" });
    form.append(answer, note, S.el("button", "Répondre", "small", { type: "submit" }));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const label = ANSWERS[answer.value];
      if (!await S.confirmDialog("Répondre « " + label + " » au " + partnerName(r.partner) + " ?", ["La réponse part par le Hub Santé et ne se reprend pas."], "Confirmer")) return;
      const ok = await S.attempt(() => S.api(base + "/" + encodeURIComponent(r.request_id) + "/answer", { method: "POST", body: { answer: answer.value, freetext: note.value.trim() || null } }),
        "Réponse « " + label + " » envoyée au " + partnerName(r.partner) + ".");
      if (ok !== undefined) load().catch((err) => S.toast(err.message));
    });
    li.append(form);
    return li;
  }
  async function load() {
    const pending = await S.api(base + "?status=PENDING");
    document.getElementById("mutual-aid-count").textContent = String(pending.length);
    list.replaceChildren(...pending.map(item));
    if (!pending.length) list.append(S.el("li", "Aucune demande en attente.", "meta"));
  }
  S.on("case.", (event) => { if (event.kind === "resync") load().catch((e) => S.toast(e.message)); });
  setInterval(() => { if (!list.contains(document.activeElement)) load().catch(() => {}); }, 30000);  // requests arrive through the Hub, without a room event
})();
