// ARM console: my seat, the call presented to me, the file I open and qualify, keyboard first.
"use strict";
(function () {
  const S = Sisamu;
  const samu = S.ctx.samu;
  const tel = "/api/samus/" + samu + "/telephony";
  const $ = (id) => document.getElementById(id);
  const SEAT_STATES = { available: "disponible", presented: "sonnerie", on_call: "en ligne", after_call_work: "post-appel", paused: "en pause", logged_out: "hors poste" };
  const state = { seat: null, call: null, file: null, commune: null, map: null, marker: null, aml: null, amlLayer: null };

  $("seat-id").value = localStorage.getItem("sisamu.seat") || "P-" + S.ctx.username;

  // ---- seat -------------------------------------------------------------------------------------------------
  async function loadSeat() {
    const seats = await S.api(tel + "/seats");
    state.seat = seats.find((s) => s.mine && s.state !== "logged_out") || null;
    renderSeat();
    if (state.seat && state.seat.call_id) {
      const call = await S.api(tel + "/calls/" + encodeURIComponent(state.seat.call_id));
      state.call = call;
    } else {
      state.call = null;
    }
    renderCall();
    await restoreCallFile();
  }
  // After a reload (or from another tab) the call in hand brings back its file: the file opened from this call.
  async function restoreCallFile() {
    const call = state.call;
    if (!call || call.state !== "answered" || (state.file && state.file.call_id === call.call_id)) return;
    const mine = await S.api("/api/samus/" + samu + "/files/mine?call_id=" + encodeURIComponent(call.call_id));
    const found = mine.find((f) => f.call_id === call.call_id);
    if (!found || state.file) return;  // answering showed it meanwhile: never redraw over what the ARM types
    const file = await S.api("/api/files/" + encodeURIComponent(found.number));
    if (!state.file) showFile(file);
  }
  // The file named in the address (a link), or the one in hand before the reload while it is still being qualified.
  async function restoreFile() {
    const linked = S.fileParam();
    const number = linked || sessionStorage.getItem("sisamu.file");
    if (!number || state.file) return;
    try {
      const file = await S.api("/api/files/" + encodeURIComponent(number));
      const wanted = linked ? !["CLOTURE", "CLASSE", "ARCHIVE"].includes(file.state) : file.step === "QUALIFYING";
      if (!state.file && wanted) showFile(file);
    } catch (err) {
      sessionStorage.removeItem("sisamu.file");
      if (S.fileParam()) S.toast(err.message);
    }
  }
  function renderSeat() {
    const seat = state.seat;
    const PAUSES = { break: "pause", meal: "repas", training: "formation", meeting: "réunion", admin: "administratif", callback: "rappel", technical: "technique", absent: "absent : sonneries sans réponse" };
    $("seat-state").textContent = seat ? (SEAT_STATES[seat.state] || seat.state) + (seat.pause_reason ? " (" + (PAUSES[seat.pause_reason] || seat.pause_reason) + ")" : "") + " · " + seat.seat_id : "hors poste";
    $("seat-state").dataset.state = seat ? seat.state : "logged_out";
    $("seat-login").hidden = !!seat;
    $("seat-controls").hidden = !seat;
    document.querySelectorAll("#callbacks button").forEach((b) => { b.disabled = !seat; });
    if (!seat) return;
    $("btn-pause").hidden = seat.state !== "available";
    $("pause-reason").hidden = seat.state !== "available";
    $("btn-resume").hidden = seat.state !== "paused";
    $("btn-ready").hidden = seat.state !== "after_call_work";
  }
  // HubSante.precision from the AML radius (metres).
  function precisionOf(radius) {
    if (radius === null || radius === undefined) return "INCONNUE";
    return radius <= 50 ? "EXACTE" : radius <= 200 ? "ADRESSE" : radius <= 1000 ? "RUE" : "VILLE";
  }
  // The caller's handset position (AML), shown on the map and used for the file's point.
  async function loadAml() {
    const call = state.call;
    if (state.amlLayer) { state.amlLayer.remove(); state.amlLayer = null; }
    state.aml = null;
    $("in-aml").textContent = "";
    if (!call || !["presented", "answered"].includes(call.state)) return;
    const points = await S.api(tel + "/calls/" + encodeURIComponent(call.call_id) + "/locations").catch(() => []);
    const p = points.find((x) => x.lat !== null);
    if (!p) return;
    state.aml = p;
    if (state.map && typeof L !== "undefined") {
      state.amlLayer = L.layerGroup([
        L.circle([p.lat, p.lon], { radius: p.radius_m || 50, color: "#8e44ad", fillOpacity: 0.15 }),
        L.circleMarker([p.lat, p.lon], { radius: 5, color: "#8e44ad", fillOpacity: 1 }).bindTooltip(S.tip("Position AML (" + Math.round(p.radius_m || 0) + " m)")),
      ]).addTo(state.map);
      state.map.setView([p.lat, p.lon], 13);
    }
    $("in-aml").textContent = "AML : " + p.lat.toFixed(5) + ", " + p.lon.toFixed(5) + " ± " + Math.round(p.radius_m || 0) + " m";
  }
  async function renderCall() {
    const call = state.call;
    await loadAml();
    const ringing = !!(call && state.seat && state.seat.state === "presented");
    $("incoming").hidden = !ringing;
    $("current-call").hidden = !(call && call.state === "answered");
    if (ringing) {
      $("in-number").textContent = call.caller_number || "numéro masqué";
      $("in-flux").textContent = call.flux;
      $("in-prio").textContent = call.priority === "UV" ? "URGENCE VITALE" : "Px";
      $("in-wait").textContent = S.since(call.offered_at);
      $("btn-answer").focus();
      const history = call.caller_number ? await S.api("/api/samus/" + samu + "/files/history?phone=" + encodeURIComponent(call.caller_number)) : [];
      showHistory($("in-history"), history);
    }
    if (call && call.state === "answered" && state.historyOf !== call.call_id) {
      // The caller's history stays in sight once the call is picked up (and after a reload).
      state.historyOf = call.call_id;
      const history = call.caller_number ? await S.api("/api/samus/" + samu + "/files/history?phone=" + encodeURIComponent(call.caller_number)).catch(() => []) : [];
      showHistory($("call-history"), history.filter((f) => !state.file || f.number !== state.file.number));
    }
    if (call && call.state === "answered") {
      $("call-number").textContent = call.caller_number || "numéro masqué";
      $("call-since").textContent = "décroché à " + S.time(call.answered_at);
    }
  }
  function showHistory(list, history) {
    list.replaceChildren(...history.map(S.summaryItem));
    if (!history.length) list.append(S.el("li", "Aucun dossier récent.", "meta"));
  }
  function seatCommand(command, body) {
    return S.attempt(async () => {
      await S.api(tel + "/seats/" + encodeURIComponent(state.seat.seat_id) + "/" + command, { method: "POST", body: body || {} });
      await loadSeat();
    });
  }
  $("seat-login").addEventListener("submit", (e) => {
    e.preventDefault();
    const seatId = $("seat-id").value.trim();
    const fluxes = [...document.querySelectorAll("input[name=flux]:checked")].map((i) => i.value);
    localStorage.setItem("sisamu.seat", seatId);
    S.attempt(async () => {
      await S.api(tel + "/seats/" + encodeURIComponent(seatId) + "/login", { method: "POST", body: { fluxes, languages: ["fr"] } });
      await loadSeat();
    }, "Poste " + seatId + " ouvert.");
  });
  $("btn-pause").addEventListener("click", () => seatCommand("pause", { reason: $("pause-reason").value }));
  $("btn-resume").addEventListener("click", () => seatCommand("resume"));
  $("btn-ready").addEventListener("click", () => seatCommand("ready"));
  $("btn-logout").addEventListener("click", () => seatCommand("logout"));

  // ---- call -> file ------------------------------------------------------------------------------------------
  async function answer() {
    if (!state.seat || state.seat.state !== "presented") return;
    await S.attempt(async () => {
      const call = await S.api(tel + "/seats/" + encodeURIComponent(state.seat.seat_id) + "/answer", { method: "POST", body: {} });
      state.call = call;
      const qualification = { caller_phone: call.caller_number, callback_phone: call.caller_number };
      if (state.aml) qualification.location = { lat: state.aml.lat, lon: state.aml.lon, precision: precisionOf(state.aml.radius_m), aml: true };
      const file = await S.api("/api/samus/" + samu + "/files", { method: "POST", body: { call_id: call.call_id, qualification } });
      showFile(file);
      await loadSeat();
      document.querySelector("#file-form [name=caller_name]").focus();
    });
  }
  async function endCall() {
    if (!state.call || state.call.state !== "answered") return;
    await S.attempt(async () => {
      await save(true);
      await S.api(tel + "/calls/" + encodeURIComponent(state.call.call_id) + "/end", { method: "POST", body: {} });
      await loadSeat();
    });
  }
  $("btn-answer").addEventListener("click", answer);
  $("btn-end").addEventListener("click", endCall);
  $("btn-new-file").addEventListener("click", () => S.attempt(async () => showFile(await S.api("/api/samus/" + samu + "/files", { method: "POST", body: {} }))));

  // ---- file form ---------------------------------------------------------------------------------------------
  const form = $("file-form");
  // What the ARM has typed and not yet saved, by field, with the order it was typed in: a change made elsewhere
  // (the physician, a partner, the caller's location) redraws the file without wiping it.
  const typed = new Map();
  let typing = 0;
  const FIELD_OF = { "commune-search": "commune", "caller-type": "caller_type" };
  const fieldOf = (target) => FIELD_OF[target.id] || target.name || null;
  function showFile(file, keepTyped) {
    // Answers may come back out of order (a live refresh sent before a save answered after it): an older version
    // of the file on screen never replaces a newer one.
    if (state.file && file.number === state.file.number && file.version < state.file.version) return;
    if (!keepTyped) typed.clear();
    const fresh = (field) => !typed.has(field);
    state.file = file;
    sessionStorage.setItem("sisamu.file", file.number);
    $("file-empty").hidden = true;
    form.hidden = false;
    $("file-number").textContent = file.number;
    $("file-state").textContent = S.fileStatus(file);
    const q = file.qualification;
    for (const name of ["caller_name", "caller_phone", "callback_phone", "caller_first_name", "caller_last_name"]) {
      if (fresh(name)) form[name].value = q[name] || "";
    }
    if (fresh("caller_type")) $("caller-type").value = q.caller_type || "";
    if (fresh("address")) form.address.value = q.location.address || "";
    if (fresh("address_number")) form.address_number.value = q.location.number || "";
    if (fresh("street")) form.street.value = q.location.street ? q.location.street.complete : "";
    if (fresh("fait")) $("fait").value = q.fait || "";
    if (fresh("commune")) {
      state.commune = q.location.commune_insee ? { insee: q.location.commune_insee, name: q.location.commune_name, lat: q.location.lat, lon: q.location.lon } : null;
      $("commune-search").value = q.location.commune_name || "";
      showCommune(q.location.commune_name);
    }
    if (fresh("motif")) $("motif").value = q.motif || "";
    if (fresh("lieu")) $("lieu").value = q.lieu || "";
    if (fresh("priority")) for (const radio of form.querySelectorAll("input[name=priority]")) radio.checked = radio.value === q.priority;
    $("patients").replaceChildren(...file.patients.map((p) => S.el("li", "Patient " + p.patient_no + " : " + [p.last_name, p.first_name].filter(Boolean).join(" ") + (p.age ? " · " + p.age.replace(/^P(\d+)Y$/, "$1 ans") : "") + (p.sex ? " · " + p.sex : "") + (p.care_level ? " · " + p.care_level : ""))));
    showUnsaved();
    placeMarker();
    S.fileMissions($("file-missions"), file.number).catch(() => {});
  }
  // Shown or hidden in place, never moving the buttons below it (a click must land where it was aimed).
  function showUnsaved() { $("file-unsaved").classList.toggle("invisible", typed.size === 0); }
  function noteTyping(event) {
    const field = fieldOf(event.target);
    if (!field || !state.file) return;
    typed.set(field, ++typing);
    showUnsaved();
  }
  form.addEventListener("input", noteTyping);  // typing, a list or a radio chosen (a blur alone changes nothing)
  function qualification() {
    const priority = form.querySelector("input[name=priority]:checked");
    const c = state.commune;
    return {
      caller_name: form.caller_name.value || null,
      caller_phone: form.caller_phone.value || null,
      callback_phone: form.callback_phone.value || null,
      caller_first_name: form.caller_first_name.value || null,
      caller_last_name: form.caller_last_name.value || null,
      caller_type: $("caller-type").value || null,
      fait: $("fait").value || null,
      motif: $("motif").value || null,
      lieu: $("lieu").value || null,
      priority: priority ? priority.value : null,
      location: locationOf(c),
      version: state.file.version,
    };
  }
  // The file's point: the caller's AML position or a partner's point when there is one (more precise), else the
  // commune's. What the form does not show (place, access, ids…) is sent back as it is.
  function locationOf(c) {
    const known = state.file.qualification.location;
    const kept = known.lat !== null && known.aml !== false ? known : null;
    const street = form.street.value.trim();
    const sameStreet = known.street && known.street.complete === street;
    return {
      ...known,
      address: form.address.value || null,
      number: form.address_number.value || null,
      street: street ? (sameStreet ? known.street : { complete: street }) : null,
      commune_insee: c ? c.insee : null,
      commune_name: c ? c.name : typedCommune(),  // typed but not picked: kept as typed, flagged
      lat: kept ? kept.lat : c ? c.lat : null,
      lon: kept ? kept.lon : c ? c.lon : null,
      precision: kept ? kept.precision : null,
      aml: kept ? kept.aml : false,
      point_at: kept ? kept.point_at : null,
    };
  }
  async function save(quiet) {
    if (!state.file) return;
    const sent = typing;
    try {
      const saved = await S.api("/api/files/" + state.file.number, { method: "PATCH", body: qualification() });
      // What was typed while the save was on its way stays on screen, still to save.
      for (const [field, order] of typed) if (order <= sent) typed.delete(field);
      showFile(saved, true);
      if (!quiet) S.toast("Dossier enregistré.", "ok");
      if (!quiet && state.file.qualification.commune_unverified) S.toast("Commune « " + state.file.qualification.location.commune_name + " » non reconnue : gardée telle quelle, à vérifier.");
    } catch (err) {
      S.toast(err.message + " Le dossier a été rechargé.");
      showFile(await S.api("/api/files/" + state.file.number));
      throw err;
    }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); save(false).catch(() => {}); });
  $("btn-add-patient").addEventListener("click", () => S.attempt(async () => {
    const age = $("p-age").value;
    await save(true);
    await S.api("/api/files/" + state.file.number + "/patients", { method: "POST", body: { last_name: $("p-last").value || null, first_name: $("p-first").value || null, age: age ? "P" + age + "Y" : null, sex: $("p-sex").value || null } });
    for (const id of ["p-last", "p-first", "p-age", "p-sex"]) $(id).value = "";
    showFile(await S.api("/api/files/" + state.file.number));
  }, "Patient ajouté."));
  // What a physician needs to regulate, missing from the form: said before the file is handed over.
  function handoverGaps() {
    const gaps = [];
    if (!state.commune && !typedCommune()) gaps.push("Commune non renseignée");
    else if (!state.commune) gaps.push("Commune « " + typedCommune() + " » non reconnue dans la liste");
    if (!$("motif").value) gaps.push("Motif non renseigné");
    if (!form.querySelector("input[name=priority]:checked")) gaps.push("Priorité non choisie");
    return gaps;
  }
  $("btn-handover").addEventListener("click", () => S.attempt(async () => {
    const gaps = handoverGaps();
    if (gaps.length && !(await S.confirmDialog("Transmettre le dossier incomplet au médecin ?", gaps, "Transmettre quand même", "Compléter le dossier"))) throw new Error("Transmission annulée : complétez le dossier.");
    await save(true);
    showFile(await S.api("/api/files/" + state.file.number + "/handover", { method: "POST", body: {} }));
    if (state.call && state.call.state === "answered") await S.api(tel + "/calls/" + encodeURIComponent(state.call.call_id) + "/transfer", { method: "POST", body: { target: "physician", target_id: "regulation" } }).catch(() => null);
    await loadSeat();
  }, "Dossier transmis à la régulation médicale."));
  // Départ réflexe: P0, the nearest unit of the type chosen engaged at once (server side), the physician alerted.
  async function reflexDeparture() {
    if (!state.file) return;
    await S.attempt(async () => {
      for (const radio of form.querySelectorAll("input[name=priority]")) radio.checked = radio.value === "P0";
      await save(true);
      const number = state.file.number;
      await S.api("/api/files/" + number + "/reflex", { method: "POST", body: { resource_type: $("reflex-type").value } });
      showFile(await S.api("/api/files/" + number));
      const missions = await S.fileMissions($("file-missions"), number);
      if (missions.length) S.toast("Départ réflexe : " + $("file-missions").firstChild.textContent + ". Passez l'appel au médecin.", "ok");
      else S.toast("Départ réflexe enregistré mais AUCUN moyen disponible n'a pu être engagé : engagez un moyen depuis Moyens et prévenez le médecin.");
    });
  }
  $("btn-reflex").addEventListener("click", reflexDeparture);

  // Commune search over the gazetteer (debounced), chosen from the list.
  let searchTimer = null;
  let found = [];
  const communeLabel = (c) => c.name + " (" + (c.postcodes[0] || c.insee) + ")";
  function typedCommune() { return $("commune-search").value.trim() || null; }
  // The commune as the file will keep it: picked from the gazetteer, or typed and not recognised (flagged).
  function showCommune(typed) {
    const line = $("commune-chosen");
    line.classList.toggle("flag", !state.commune && !!typed);
    line.textContent = state.commune ? "Commune retenue : " + state.commune.name + " (" + state.commune.insee + ")"
      : typed ? "Commune non reconnue : « " + typed + " » — choisissez-la dans la liste ; sinon elle est gardée telle quelle, à vérifier." : "";
  }
  function chooseIfListed(text) {
    const match = found.find((c) => communeLabel(c) === text || c.name === text);
    if (!match) return false;
    state.commune = match;
    showCommune(text);
    placeMarker();
    return true;
  }
  $("commune-search").addEventListener("input", (e) => {
    const text = e.target.value.trim();
    if (chooseIfListed(text)) return;
    if (state.commune && text !== state.commune.name) { state.commune = null; }
    showCommune(text);
    clearTimeout(searchTimer);
    if (text.length < 2) return;
    searchTimer = setTimeout(async () => {
      found = await S.api("/api/geo/communes?q=" + encodeURIComponent(text) + "&limit=8").catch(() => []);
      $("commune-options").replaceChildren(...found.map((c) => S.el("option", null, null, { value: communeLabel(c) })));
      chooseIfListed($("commune-search").value.trim()); // the person may have picked while the search ran
    }, 200);
  });
  function placeMarker() {
    if (!state.map || typeof L === "undefined") return;
    if (state.marker) { state.marker.remove(); state.marker = null; }
    const c = state.commune;
    if (c && c.lat !== null && c.lat !== undefined) {
      state.marker = L.marker([c.lat, c.lon]).bindTooltip(S.tip(c.name)).addTo(state.map);
      state.map.setView([c.lat, c.lon], 11);
    }
  }

  // ---- callbacks of lost calls -------------------------------------------------------------------------------
  const OUTCOMES = { reached: "joint", no_answer: "pas de réponse", busy: "occupé", voicemail: "messagerie", wrong_number: "faux numéro", called_back: "a rappelé", gave_up: "abandon" };
  async function loadCallbacks() {
    const list = await S.api(tel + "/callbacks");
    $("callbacks-count").textContent = String(list.length);
    $("callbacks").replaceChildren(...list.map((c) => {
      const li = S.el("li");
      li.append(S.el("span", c.caller_number + " · perdu à " + S.time(c.last_abandoned_at) + " après " + S.duration(c.longest_wait_s) + (c.attempts ? " · " + c.attempts + " essai(s)" : "") + " "));
      if (c.state === "pending") {
        const call = S.el("button", "Rappeler", "small");
        call.disabled = !state.seat;
        call.addEventListener("click", () => S.attempt(async () => {
          const started = await S.api(tel + "/callbacks/" + c.callback_id + "/start", { method: "POST", body: { seat_id: state.seat.seat_id } });
          S.toast(started.dial === "requested" ? "Numérotation demandée à la téléphonie : votre poste sonne, puis le " + c.caller_number + " est appelé." : "Composez le " + c.caller_number + ".", "ok");
          await loadCallbacks();
        }));
        li.append(call);
      }
      if (c.state === "in_progress") {
        const outcome = S.el("select", null, "small", { "aria-label": "Résultat du rappel" });
        outcome.append(S.el("option", "résultat…", null, { value: "" }));
        for (const [code, label] of Object.entries(OUTCOMES)) outcome.append(S.el("option", label, null, { value: code }));
        outcome.addEventListener("change", () => outcome.value && S.attempt(async () => {
          await S.api(tel + "/callbacks/" + c.callback_id + "/outcome", { method: "POST", body: { outcome: outcome.value } });
          await loadCallbacks();
        }, "Résultat enregistré."));
        li.append(outcome);
      }
      return li;
    }));
    if (!list.length) $("callbacks").append(S.el("li", "Aucun appel perdu à rappeler.", "meta"));
  }
  S.on("callback.", () => loadCallbacks().catch((e) => S.toast(e.message)));
  // A dial or a file correlation the telephony will not carry out (refused, or not sent in time): said at the seat.
  S.on("telephony.failed", (event) => {
    if (event.kind === "telephony.failed" && state.seat && event.data && event.data.seat_id === state.seat.seat_id) S.toast(event.data.message);
  });

  // ---- keyboard ----------------------------------------------------------------------------------------------
  S.shortcut("F2", "Décrocher l'appel présenté", answer);
  S.shortcut("F4", "Fin de post-appel : disponible", () => state.seat && state.seat.state === "after_call_work" && seatCommand("ready"));
  S.shortcut("Ctrl+S", "Enregistrer le dossier", () => save(false).catch(() => {}));
  S.shortcut("Ctrl+M", "Transmettre au médecin", () => $("btn-handover").click());
  S.shortcut("Ctrl+E", "Fin d'appel", endCall);
  S.shortcut("Ctrl+Maj+0", "Départ réflexe P0 (moyen le plus proche engagé)", reflexDeparture);
  for (const p of ["0", "1", "2", "3"]) S.shortcut("Alt+" + p, "Priorité P" + p, () => { const r = form.querySelector("input[value=P" + p + "]"); if (r) r.checked = true; });
  S.renderShortcuts($("shortcuts"));

  // ---- live --------------------------------------------------------------------------------------------------
  S.on("seat.", () => loadSeat().catch((e) => S.toast(e.message)));
  S.on("call.", () => loadSeat().catch((e) => S.toast(e.message)));  // includes call.location (AML arrived)
  S.on("mission.", (event) => {
    if (state.file && event.data && event.data.file_number === state.file.number) S.fileMissions($("file-missions"), state.file.number).catch(() => {});
  });
  S.on("case.", (event) => {
    if (state.file && event.id === state.file.number && event.version > state.file.version) {
      S.api("/api/files/" + state.file.number).then((file) => {
        if (typed.size && file.version > state.file.version) S.toast("Dossier modifié par ailleurs : mis à jour, votre saisie non enregistrée est conservée.");
        showFile(file, true);
      }).catch((e) => S.toast(e.message));
    }
  });
  S.fillSelect($("motif"), "motif", { placeholder: "— motif —" });
  S.fillSelect($("fait"), "fait", { placeholder: "— ce qui s'est passé —" });
  S.fillSelect($("caller-type"), "typeAppelant", { placeholder: "—" });
  S.fillSelect($("lieu"), "lieu", { placeholder: "— lieu —" });
  S.instructionsPanel();
  loadSeat().then(restoreFile).catch((e) => S.toast(e.message));
  S.territoryMap("map", $("hospitals")).then((map) => { state.map = map; placeMarker(); }).catch((e) => S.toast("Carte indisponible : " + e.message));
  S.start();
})();
