// Mission statuses on screen: the timestamped history in French, and the buttons that move a mission on — the crew
// terminal's big button, and the room's controls (ARM, physician, supervisor) when a crew reports by radio.
// The server says which statuses may come next (`next`, the usual one first); this file only names them.
"use strict";
const SisamuMissions = (function () {
  const S = Sisamu;
  // What the person presses to report a status (the status reached is named by Sisamu.missionLabel).
  const ACTIONS = {
    DECLENCHE: "Alerte reçue", DEPART: "Départ", ANNULE: "Annuler la mission", ARRIVEE: "Sur les lieux",
    PEC: "Prise en charge", BILAN: "Bilan transmis", ORIENTAT: "Destination reçue", TRANSP: "Transport",
    ETAPE1: "Étape de transit", TRANSP2: "Départ de l'étape", ETAPE2: "Deuxième étape", TRANSP3: "Départ de la 2e étape",
    DESTIN: "Arrivée à destination", FINPEC: "Fin de prise en charge", RETOUR: "Disponible", "RET-BASE": "Retour vers la base",
    "REN-BASE": "Rentré à la base",
  };
  // Said beside an exception, so that a button is never ambiguous.
  const HINTS = { RETOUR: " (sans transport)", FINPEC: " (sans transport)" };
  const SOURCES = { CREW: "équipage", CONSOLE: "salle", MQTT: "terminal embarqué" };
  const STAFF = ["arm", "regulator", "supervisor"];

  function action(code) { return Object.hasOwn(ACTIONS, code) ? ACTIONS[code] : code; }
  // The label of the button for `code` offered after `mission`'s status (exceptions carry a hint).
  function buttonLabel(mission, code, primary) {
    return action(code) + (!primary && Object.hasOwn(HINTS, code) && mission.next[0] !== code ? HINTS[code] : "");
  }

  function historyItems(mission) {
    return (mission.history || []).map((h) => {
      const li = S.el("li", null, "status-entry", { "data-status": h.status });
      li.append(S.el("span", S.time(h.at), "mono"), S.el("span", " " + S.missionLabel(h.status)),
        S.el("span", " · " + (SOURCES[h.source] || h.source) + (h.actor ? " (" + h.actor + ")" : ""), "meta"));
      return li;
    });
  }

  // Report `status` on the mission; a cancellation is confirmed first. Resolves to the mission as it left it,
  // or null when the person changed their mind.
  async function advance(mission, status) {
    if (status === "ANNULE") {
      const sure = await S.confirmDialog("Annuler la mission ?", ["Le moyen redevient disponible pour un autre dossier.",
        "Une annulation ne se reprend pas : un nouvel engagement sera nécessaire."], "Annuler la mission", "Ne pas annuler");
      if (!sure) return null;
    }
    return S.api("/api/samus/" + encodeURIComponent(mission.samu_id) + "/missions/" + mission.mission_id + "/status",
      { method: "POST", body: { status } });
  }

  // Buttons for the statuses allowed next: the usual one first (`primary` class), the exceptions after. While a
  // report is on its way, and a moment after (whatever redraws them meanwhile), the mission's buttons are disabled,
  // so that a double tap never reports two statuses: the first button now names the next one. `opts.ready(button)`
  // runs once they may be pressed again.
  const HOLD_MS = 1200;
  const held = new Map();  // mission id → until when its buttons stay disabled after a report
  function controls(mission, onDone, options) {
    const opts = options || {};
    const box = S.el("div", null, "row mission-controls", { "data-mission": String(mission.mission_id) });
    const buttons = mission.next.map((code, i) => {
      const label = buttonLabel(mission, code, i === 0);
      const button = S.el("button", label, (i === 0 ? opts.primaryClass || "small" : "small secondary") + (code === "ANNULE" ? " danger" : ""),
        { type: "button", "data-status": code, "aria-label": label + " — " + (opts.subject || "mission " + mission.mission_id) });
      button.addEventListener("click", async (e) => {
        const how = { byKeyboard: e.detail === 0 };  // Enter or Space: the next button gets the focus back
        for (const b of buttons) b.disabled = true;
        try {
          const moved = await advance(mission, code);
          if (moved) held.set(mission.mission_id, Date.now() + HOLD_MS);
          if (moved) S.toast((opts.subject || "Mission " + mission.mission_id) + " : " + S.missionLabel(moved.status) + ".", "ok");
          if (onDone) await onDone(moved, how);
        } catch (err) {
          S.toast(err.status === 409 ? "La mission a changé entre-temps : statut actualisé, vérifiez avant de recommencer." : err.message);
          if (onDone) await onDone(null, how);
        } finally {
          for (const b of buttons) b.disabled = false;
        }
      });
      return button;
    });
    box.append(...buttons);
    const wait = (held.get(mission.mission_id) || 0) - Date.now();
    const ready = () => { if (opts.ready && buttons.length) opts.ready(buttons[0]); };
    if (wait <= 0) { held.delete(mission.mission_id); setTimeout(ready, 0); return box; }
    for (const b of buttons) b.disabled = true;
    setTimeout(() => { for (const b of buttons) b.disabled = false; ready(); }, wait);
    return box;
  }

  // The missions of a file: unit, status reached and since when, the statuses with their times, and — for the
  // room's staff — the buttons to report the next one when the crew gives it by radio.
  let names = null;
  async function renderFile(list, number) {
    const missions = await S.api("/api/files/" + encodeURIComponent(number) + "/missions");
    if (!names && missions.length) {
      names = new Map((await S.api("/api/samus/" + S.ctx.samu + "/resources").catch(() => [])).map((u) => [u.resource_id, u.name]));
    }
    const refresh = () => renderFile(list, number).catch(() => {});
    list.replaceChildren(...missions.map((m) => {
      const name = (names && names.get(m.resource_id)) || m.resource_id;
      const li = S.el("li", null, "mission mission-" + m.status, { "data-mission": String(m.mission_id), "data-status": m.status });
      li.append(S.el("strong", name), S.el("span", " · " + S.missionLabel(m.status) + " depuis " + S.time(m.status_at), "mission-now"));
      const steps = S.el("ol", null, "list compact status-history");
      steps.append(...historyItems(m));
      li.append(steps);
      if (STAFF.includes(S.ctx.role) && m.next.length) li.append(controls(m, refresh, { subject: name }));
      return li;
    }));
    if (!missions.length) list.append(S.el("li", "Aucun moyen engagé.", "meta"));
    return missions;
  }

  return { ACTIONS, action, buttonLabel, historyItems, advance, controls, renderFile, staff: STAFF.includes(S.ctx.role) };
})();
