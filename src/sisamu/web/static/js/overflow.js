// The room's overflow (débordement) and national pooling (mutualisation nationale), on the supervisor's screen.
// The supervisor sets the SAMU's agreement: to which partner SAMUs its calls overflow, after what wait or queue,
// at what hours. The national operator turns national pooling on or off; the room sees its state. Each change is
// confirmed here and checked (role × SAMU) and audited by the server.
"use strict";
(function () {
  const S = Sisamu;
  const samu = S.ctx.samu;
  if (!samu) return;
  const $ = (id) => document.getElementById(id);
  const base = "/api/samus/" + samu + "/telephony";
  const state = { pooling: null, agreement: null };

  function hoursText(hours) {
    return hours.length ? hours.map((h) => "de " + h.start + " h à " + h.end + " h").join(", ") : "à toute heure";
  }
  function agreementText(a) {
    if (!a) return "Accord de débordement : aucun accord actif.";
    return "Accord de débordement actif vers les SAMU " + a.partners.join(", ") + " — après " + S.duration(a.wait_threshold_s) + " d'attente"
      + (a.queue_threshold ? " ou dès " + a.queue_threshold + " appel(s) en attente" : "") + ", " + hoursText(a.hours) + ".";
  }
  async function load() {
    const [pooling, agreement] = await Promise.all([S.api(base + "/pooling"), S.api(base + "/overflow")]);
    state.pooling = pooling;
    state.agreement = agreement;
    $("pooling-state").textContent = "Mutualisation nationale : " + (pooling.national_pooling ? "active — tout SAMU peut répondre aux appels en attente depuis plus de " + S.duration(pooling.pooling_wait_s) : "inactive") + ".";
    $("pooling-state").dataset.on = String(pooling.national_pooling);
    $("overflow-current").textContent = agreementText(agreement);
    const toggle = $("pooling-toggle");
    if (toggle) {
      toggle.textContent = pooling.national_pooling ? "Désactiver la mutualisation nationale" : "Activer la mutualisation nationale";
      if (pooling.national_pooling) $("pooling-wait").value = String(pooling.pooling_wait_s);
    }
    if (agreement && $("overflow-form") && !$("overflow-form").contains(document.activeElement)) {
      $("overflow-partners").value = agreement.partners.join(", ");
      $("overflow-wait").value = String(agreement.wait_threshold_s);
      $("overflow-queue").value = agreement.queue_threshold ? String(agreement.queue_threshold) : "";
      $("overflow-start").value = agreement.hours.length ? String(agreement.hours[0].start) : "";
      $("overflow-end").value = agreement.hours.length ? String(agreement.hours[0].end) : "";
      $("overflow-active").checked = true;
    }
  }
  const reload = () => load().catch((e) => S.toast(e.message));

  const overflowForm = $("overflow-form");
  if (overflowForm) overflowForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const partners = $("overflow-partners").value.split(/[\s,;]+/).map((p) => p.trim()).filter(Boolean);
    if (!partners.length) { S.toast("Indiquez au moins un SAMU partenaire."); return; }
    const start = $("overflow-start").value, end = $("overflow-end").value;
    if ((start === "") !== (end === "")) { S.toast("Indiquez les deux heures de la plage, ou aucune."); return; }
    const body = {
      partners, wait_threshold_s: Number($("overflow-wait").value), active: $("overflow-active").checked,
      queue_threshold: $("overflow-queue").value ? Number($("overflow-queue").value) : null,
      hours: start === "" ? [] : [{ start: Number(start), end: Number(end) }],
    };
    const items = body.active
      ? ["Les appels en attente depuis " + S.duration(body.wait_threshold_s) + (body.queue_threshold ? " (ou au-delà de " + body.queue_threshold + " en attente)" : "") + " seront présentés aux SAMU " + partners.join(", ") + ".", "Plage : " + hoursText(body.hours) + "."]
      : ["Les appels ne déborderont plus vers d'autres SAMU."];
    if (!await S.confirmDialog(body.active ? "Enregistrer l'accord de débordement ?" : "Suspendre le débordement ?", items, "Confirmer")) return;
    const ok = await S.attempt(() => S.api(base + "/overflow", { method: "PUT", body }), body.active ? "Accord de débordement enregistré." : "Débordement suspendu.");
    if (ok !== undefined) reload();
  });

  const poolingForm = $("pooling-form");
  if (poolingForm) poolingForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const on = !(state.pooling && state.pooling.national_pooling);
    const wait = Number($("pooling-wait").value);
    const items = on
      ? ["Tout SAMU pourra répondre aux appels de tout SAMU en attente depuis plus de " + S.duration(wait) + ".", "À réserver aux crises : la décision est tracée."]
      : ["Les appels ne seront plus présentés qu'au SAMU appelé et à ses partenaires de débordement."];
    if (!await S.confirmDialog(on ? "Activer la mutualisation nationale ?" : "Désactiver la mutualisation nationale ?", items, "Confirmer")) return;
    const ok = await S.attempt(() => S.api("/api/telephony/pooling", { method: "PUT", body: { national_pooling: on, pooling_wait_s: wait } }),
      on ? "Mutualisation nationale activée." : "Mutualisation nationale désactivée.");
    if (ok !== undefined) reload();
  });

  S.on("overflow.", reload);
  setInterval(reload, 30000);  // pooling is national: no room event tells of it
})();
