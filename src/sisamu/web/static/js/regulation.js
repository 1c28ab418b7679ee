// Medical regulation: the queue of files awaiting a physician, the file I hold, R level, notes, decisions.
"use strict";
(function () {
  const S = Sisamu;
  const samu = S.ctx.samu;
  const $ = (id) => document.getElementById(id);
  const state = { file: null, queue: [], map: null, marker: null };

  async function loadQueue() {
    state.queue = await S.api("/api/samus/" + samu + "/files/queue");
    $("queue-count").textContent = String(state.queue.length);
    $("queue").querySelector("tbody").replaceChildren(...state.queue.map((f) => {
      const tr = S.el("tr", null, "prio-" + f.priority);
      const take = S.el("button", "Prendre", "small");
      take.addEventListener("click", () => takeFile(f.number));
      const cell = S.el("td"); cell.append(take);
      tr.append(S.el("td", f.priority || "—"), S.td(S.fileLink(f.number)), S.el("td", f.motif_label || f.motif || "—"), S.el("td", f.commune_name || "—"), S.el("td", S.duration(f.waiting_s)), cell);
      return tr;
    }));
  }
  // "Mes dossiers": the files I hold, whatever view I went to meanwhile; a click brings one back.
  async function loadMine() {
    const mine = (await S.api("/api/samus/" + samu + "/files/mine")).filter((f) => f.held_by_me);
    $("mine-count").textContent = String(mine.length);
    $("mine").querySelector("tbody").replaceChildren(...mine.map((f) => {
      const tr = S.el("tr", null, "prio-" + f.priority + (state.file && state.file.number === f.number ? " current" : ""));
      const link = S.fileLink(f.number);
      link.addEventListener("click", (e) => { e.preventDefault(); openFile(f.number); });
      tr.append(S.el("td", f.priority || "—"), S.td(link), S.el("td", f.motif_label || f.motif || "—"), S.el("td", f.commune_name || "—"), S.el("td", S.since(f.held_since)));
      return tr;
    }));
    if (!mine.length) { const tr = S.el("tr", null, "meta"); tr.append(S.el("td", "Aucun dossier pris.", null, { colspan: "5" })); $("mine").querySelector("tbody").append(tr); }
  }
  async function openFile(number) {
    await S.attempt(async () => { show(await S.api("/api/files/" + encodeURIComponent(number))); history.replaceState(null, "", "?file=" + encodeURIComponent(number)); });
    loadMine().catch(() => {});
  }

  async function takeFile(number) {
    await S.attempt(async () => { show(await S.api("/api/files/" + number + "/take", { method: "POST", body: {} })); await loadQueue(); await loadMine(); });
  }

  function fact(dl, label, value) { if (value) dl.append(S.el("dt", label), S.el("dd", value)); }
  function show(file) {
    // Answers may come back out of order: an older version of the file in hand never replaces a newer one.
    if (file && state.file && file.number === state.file.number && file.version < state.file.version) return;
    state.file = file;
    if (file) sessionStorage.setItem("sisamu.regulation.file", file.number); else sessionStorage.removeItem("sisamu.regulation.file");
    $("file-empty").hidden = !!file;
    $("file-view").hidden = !file;
    if (!file) { $("file-number").textContent = ""; $("file-state").textContent = ""; return; }
    $("file-number").textContent = file.number;
    $("link-map").href = "/console/map?file=" + encodeURIComponent(file.number);
    $("link-export").href = "/api/files/" + encodeURIComponent(file.number) + "/rs-eda";
    $("link-export").setAttribute("download", file.number + ".rs-eda.json");
    SisamuMissions.renderFile($("file-missions"), file.number).catch(() => {});
    loadDestinations(file).catch(() => {});
    $("file-state").textContent = S.fileStatus(file) + (file.holder ? " · " + file.holder.name : "");
    const q = file.qualification;
    const facts = $("facts"); facts.replaceChildren();
    fact(facts, "Priorité ARM", q.priority || "non choisie");
    fact(facts, "Ce qui s'est passé", q.labels[q.fait] || q.fait_label || q.fait);
    fact(facts, "Motif", q.motif_label || q.motif);
    fact(facts, "Lieu", q.lieu_label || q.lieu);
    const callerName = q.caller_name || [q.caller_first_name, q.caller_last_name].filter(Boolean).join(" ");
    fact(facts, "Appelant", [callerName, q.caller_note, q.caller_phone].filter(Boolean).join(" · "));
    fact(facts, "Rappel", q.callback_phone);
    const loc = q.location;
    const street = [loc.number, loc.street && loc.street.complete].filter(Boolean).join(" ");
    fact(facts, "Adresse", [loc.address || street, loc.commune_name && q.commune_unverified ? loc.commune_name + " (commune non reconnue, à vérifier)" : loc.commune_name].filter(Boolean).join(", "));
    fact(facts, "Lieu-dit / accès", [loc.name, loc.directions].filter(Boolean).join(" · "));
    $("patients").replaceChildren(...file.patients.map((p) => {
      const li = S.el("li");
      li.append(S.el("span", "Patient " + p.patient_no + " : " + ([p.last_name, p.first_name].filter(Boolean).join(" ") || "identité inconnue") + (p.age ? " · " + p.age.replace(/^P(\d+)Y$/, "$1 ans") : "") + (p.sex ? " · " + p.sex : "") + " "));
      const select = S.el("select", null, "care-level", { "aria-label": "Niveau de soin du patient " + p.patient_no, "data-patient": String(p.patient_no) });
      select.append(S.el("option", "R —", null, { value: "" }));
      for (const r of ["R1", "R2", "R3", "R4"]) select.append(S.el("option", r, null, { value: r }));
      select.value = p.care_level || "";
      select.addEventListener("change", () => S.attempt(async () => {
        await S.api("/api/files/" + file.number + "/patients/" + p.patient_no + "/care-level", { method: "PUT", body: { level: select.value } });
        show(await S.api("/api/files/" + file.number));
      }, "Niveau " + select.value + " enregistré."));
      li.append(select, hypothesisForm(file, p));
      return li;
    }));
    if (!file.patients.length) $("patients").append(S.el("li", "Aucun patient saisi.", "meta"));
    loadGrants(file.number).catch(() => { $("sharing").hidden = true; });
    $("timeline").replaceChildren(...file.timeline.slice().reverse().map((t) => S.el("li", S.time(t.at) + " · " + t.text + (t.by ? " — " + t.by : ""))));
    placeMarker();
  }
  // The physician's diagnostic hypothesis for a patient: a CIM-10 code as the Hub writes it (I21, T58, S06.5) and
  // its label; shared with the partners the file is shared with. Empty code: the hypothesis is cleared.
  const CIM10 = /^[A-Z]\d{2}(\.[\d+\-]{1,3})?$/;
  function hypothesisForm(file, p) {
    const main = p.hypothesis && p.hypothesis.main;
    const form = S.el("form", null, "row hypothesis", { "data-patient": String(p.patient_no) });
    const shown = S.el("span", main ? "Hypothèse : " + main.code + " — " + main.label : "Pas d'hypothèse diagnostique", main ? "hypothesis-current" : "hypothesis-current meta");
    const code = S.el("input", null, "hypothesis-code", { "aria-label": "Code CIM-10 de l'hypothèse du patient " + p.patient_no, placeholder: "CIM-10 (ex. I21)", maxlength: "7", size: "8" });
    const label = S.el("input", null, "hypothesis-label grow", { "aria-label": "Libellé de l'hypothèse du patient " + p.patient_no, placeholder: "Libellé (ex. infarctus du myocarde)", maxlength: "200" });
    code.value = main ? main.code : "";
    label.value = main ? main.label : "";
    form.append(shown, code, label, S.el("button", "Enregistrer l'hypothèse", "small", { type: "submit" }));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const value = code.value.trim().toUpperCase();
      if (value && !CIM10.test(value)) { S.toast("Code CIM-10 invalide : une lettre, deux chiffres, puis éventuellement un point et jusqu'à trois caractères (ex. S06.5)."); code.focus(); return; }
      if (value && !label.value.trim()) { S.toast("Indiquez le libellé de l'hypothèse."); label.focus(); return; }
      const hypothesis = value ? { main: { code: value, label: label.value.trim() }, others: (p.hypothesis && p.hypothesis.others) || [] } : null;
      S.attempt(async () => {
        await S.api("/api/files/" + file.number + "/patients/" + p.patient_no + "/hypothesis", { method: "PUT", body: { hypothesis } });
        show(await S.api("/api/files/" + file.number));
      }, value ? "Hypothèse " + value + " enregistrée." : "Hypothèse effacée.");
    });
    return form;
  }
  // Sharing: the owner SAMU's physician opens the file to another SAMU for a bounded time, or closes it again.
  // A grantee's physician is refused the list (403): the panel stays hidden.
  const REASONS = { SHARED: "dossier partagé", CRISIS: "crise", OVERFLOW: "débordement" };
  async function loadGrants(number) {
    const grants = await S.api("/api/files/" + number + "/grants");
    if (!state.file || state.file.number !== number) return;
    $("sharing").hidden = false;
    $("grants").replaceChildren(...grants.map((g) => {
      const li = S.el("li", null, "grant", { "data-samu": g.samu_id });
      const until = g.expires_at ? " jusqu'à " + new Date(g.expires_at).toLocaleString("fr-FR") : "";
      li.append(S.el("span", "SAMU " + g.samu_id + " · " + (REASONS[g.reason] || g.reason) + until + " — " + g.granted_by + " "));
      const revoke = S.el("button", "Retirer", "small secondary", { type: "button", "aria-label": "Retirer le partage avec le SAMU " + g.samu_id });
      revoke.addEventListener("click", () => S.attempt(async () => {
        await S.api("/api/files/" + number + "/grants/" + encodeURIComponent(g.samu_id), { method: "DELETE" });
        await loadGrants(number);
      }, "Partage avec le SAMU " + g.samu_id + " retiré."));
      li.append(revoke);
      return li;
    }));
    if (!grants.length) $("grants").append(S.el("li", "Dossier non partagé.", "meta"));
  }
  $("grant-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const number = state.file.number;
    const expires = new Date(Date.now() + Number($("grant-hours").value) * 3600 * 1000).toISOString();
    const body = { samu_id: $("grant-samu").value.trim(), reason: $("grant-reason").value, expires_at: expires };
    S.attempt(async () => {
      await S.api("/api/files/" + number + "/grants", { method: "POST", body });
      $("grant-samu").value = "";
      await loadGrants(number);
    }, "Dossier partagé avec le SAMU " + body.samu_id + ".");
  });
  // Sharing through Hub Santé (RS-EDA) with another SAMU: its Hub id, or its number (680 → fr.health.samu680).
  $("hub-share-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const typed = $("hub-share-to").value.trim();
    const to = /^\d[\dAB]{1,3}$/i.test(typed) ? "fr.health.samu" + typed.toUpperCase() : typed;
    const number = state.file.number;
    S.attempt(async () => {
      await S.api("/api/files/" + encodeURIComponent(number) + "/share", { method: "POST", body: { to } });
      $("hub-share-to").value = "";
    }, "Dossier envoyé par le Hub Santé à " + to + ".");
  });
  function placeMarker() {
    if (!state.map || !state.file || typeof L === "undefined") return;
    if (state.marker) state.marker.remove();
    const loc = state.file.qualification.location;
    if (loc.lat !== null && loc.lat !== undefined) { state.marker = L.marker([loc.lat, loc.lon]).addTo(state.map); state.map.setView([loc.lat, loc.lon], 11); }
  }

  // A destination typed with the decision is never dropped: with an INTER it becomes the ORIENT of the patient,
  // carried by the resource sent.
  $("decision-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const kind = $("decision-kind").value;
    const resource = $("decision-resource").value || null;
    const destination = $("decision-destination").value.trim() || null;
    const body = { kind, resource_type: resource };
    if (kind === "ORIENT") body.destination = destination;
    S.attempt(async () => {
      const number = state.file.number;
      await S.api("/api/files/" + number + "/decisions", { method: "POST", body });
      if (kind === "INTER" && destination) await S.api("/api/files/" + number + "/decisions", { method: "POST", body: { kind: "ORIENT", destination, resource_type: resource } });
      $("decision-destination").value = "";
      show(await S.api("/api/files/" + number));
      if (kind === "INTER") S.toast("Intervention " + resource + " décidée : engagez le moyen proposé (Moyens).", "ok");
    }, "Décision enregistrée.");
  });
  // Destinations offered: hospitals with the specialty chosen, free beds first, then by travel time from the file.
  async function loadDestinations(file) {
    const options = $("destination-options");
    options.replaceChildren();
    const specialty = $("destination-specialty").value || "urgences";
    const ranked = await S.api("/api/files/" + encodeURIComponent(file.number) + "/hospitals?top=8&specialty=" + encodeURIComponent(specialty)).catch(() => []);
    options.append(...ranked.map((h) => S.el("option", S.duration(h.travel_s) + (h.beds_available === null ? " · lits non déclarés" : " · " + h.beds_available + " lit(s) libre(s)"), null, { value: h.name })));
  }
  $("destination-specialty").addEventListener("change", () => state.file && loadDestinations(state.file).catch(() => {}));
  $("note-form").addEventListener("submit", (e) => {
    e.preventDefault();
    S.attempt(async () => {
      await S.api("/api/files/" + state.file.number + "/notes", { method: "POST", body: { body: $("note-body").value } });
      $("note-body").value = "";
      show(await S.api("/api/files/" + state.file.number));
    }, "Note ajoutée.");
  });
  $("note-body").addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); e.stopPropagation(); $("note-form").requestSubmit(); } });
  $("btn-release").addEventListener("click", () => S.attempt(async () => {
    await S.api("/api/files/" + state.file.number + "/release", { method: "POST", body: {} });
    show(null); await loadQueue();
  }));
  // ACHEVE is life-critical: always confirmed; refused while a decision is not carried out, unless a reason is
  // given (the server decides, with code decisions_not_carried_out and the gaps).
  function openDone() {
    if (!state.file) return;
    $("done-number").textContent = state.file.number;
    $("done-gaps").replaceChildren();
    $("done-reason").value = "";
    $("done-reason-label").hidden = true;
    $("done-confirm").textContent = "Confirmer : achever";
    $("done-dialog").showModal();
  }
  $("btn-done").addEventListener("click", openDone);
  $("done-cancel").addEventListener("click", () => $("done-dialog").close());
  $("done-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const number = state.file.number;
    const askReason = !$("done-reason-label").hidden;
    const reason = $("done-reason").value.trim();
    if (askReason && !reason) { S.toast("Indiquez le motif pour achever le dossier."); $("done-reason").focus(); return; }
    try {
      const done = await S.api("/api/files/" + number + "/transitions", { method: "POST", body: { to: "ACHEVE", reason: askReason ? reason : null } });
      $("done-dialog").close();
      if (done.step === "HELD") await S.api("/api/files/" + number + "/release", { method: "POST", body: {} }).catch(() => null);
      show(null);
      history.replaceState(null, "", location.pathname);
      S.toast("Dossier achevé et libéré.", "ok");
      await Promise.all([loadQueue(), loadMine()]);
    } catch (err) {
      if (err.code !== "decisions_not_carried_out") { S.toast(err.message); return; }
      $("done-gaps").replaceChildren(...(err.body.gaps || []).map((g) => S.el("li", g)));
      $("done-reason-label").hidden = false;
      $("done-confirm").textContent = "Achever malgré tout";
      $("done-reason").focus();
    }
  });

  S.shortcut("Ctrl+Enter", "Prendre le premier dossier de la file", () => state.queue.length && takeFile(state.queue[0].number));
  S.shortcut("Ctrl+Maj+A", "Achever le dossier (avec confirmation)", openDone);
  S.renderShortcuts($("shortcuts"));
  S.on("mission.", (event) => {
    if (state.file && event.data && event.data.file_number === state.file.number) SisamuMissions.renderFile($("file-missions"), state.file.number).catch(() => {});
  });
  S.on("case.", (event) => {
    loadQueue().catch((e) => S.toast(e.message));
    loadMine().catch((e) => S.toast(e.message));
    if (event.kind === "case.unshared" && event.data && event.data.owner && state.file && event.id === state.file.number) {
      // Another SAMU's file in hand, whose owner withdrew the share: it goes away at once.
      S.api("/api/files/" + state.file.number).catch(() => { show(null); S.toast("Le SAMU " + event.data.owner + " a retiré le partage de ce dossier."); });
      return;
    }
    if (state.file && event.id === state.file.number && event.version > state.file.version) {
      // Shown only if still the file in hand: released or another taken meanwhile, it stays put away.
      S.api("/api/files/" + state.file.number).then((file) => { if (state.file && state.file.number === file.number) show(file); }).catch(() => {});
    }
  });
  // The file named in the address (a link from another view), else the one I held before leaving this view.
  const wanted = S.fileParam() || sessionStorage.getItem("sisamu.regulation.file");
  if (wanted) S.api("/api/files/" + encodeURIComponent(wanted)).then((file) => { if (!state.file) show(file); }).catch((e) => { sessionStorage.removeItem("sisamu.regulation.file"); if (S.fileParam()) S.toast(e.message); });
  S.instructionsPanel();
  S.territoryMap("map", $("hospitals")).then((map) => { state.map = map; placeMarker(); }).catch((e) => S.toast("Carte indisponible : " + e.message));
  S.start();
})();
