// The room (supervisor): wallboard, ARM seats, open files, callbacks, instructions, territory — all live.
"use strict";
(function () {
  const S = Sisamu;
  const samu = S.ctx.samu;
  if (!samu) { S.start(); return; }
  const base = "/api/samus/" + samu;
  const SEAT_STATES = { available: "Disponible", presented: "Sonnerie", on_call: "En ligne", after_call_work: "Post-appel", paused: "En pause", logged_out: "Déconnecté" };

  function tile(id, value) { document.querySelector("#" + id + " .value").textContent = value; }
  function pct(value) { return value === null || value === undefined ? "—" : value.toFixed(1).replace(".", ",") + " %"; }

  async function wallboard() {
    const w = await S.api(base + "/telephony/wallboard");
    tile("wb-waiting", w.waiting + (w.ringing ? " (+" + w.ringing + " en sonnerie)" : ""));
    tile("wb-longest", S.duration(w.longest_wait_s));
    tile("wb-sl60", pct(w.answered_within_60s_pct));
    tile("wb-sl30", pct(w.answered_within_30s_pct));
    tile("wb-answered", w.answered_today + " / " + w.offered_today);
    tile("wb-lost", w.lost_today + (w.lost_pct !== null ? " (" + pct(w.lost_pct) + ")" : ""));
    document.getElementById("wb-lost-label").textContent = "appels perdus (raccrochés après " + w.lost_call_threshold_s + " s)";
    tile("wb-callbacks", String(w.callbacks_pending));
    tile("wb-overflow", w.overflow_in_today + " / " + w.overflow_out_today);
    document.querySelector("#panel-wallboard").classList.toggle("alert", w.longest_wait_s >= 60);
    document.getElementById("wb-since").textContent = "depuis " + S.time(w.since);
  }

  // Seat management (supervisor): log a seat out, put a paused seat back in service — each confirmed, then done
  // by the server, which checks the supervisor's role on this SAMU and audits it.
  const supervising = S.ctx.role === "supervisor";
  const SEAT_ACTIONS = {
    logout: { label: "Déconnecter", states: ["available", "paused", "after_call_work"], title: (id) => "Déconnecter le poste " + id + " ?",
      items: ["La personne connectée au poste n'y recevra plus d'appel.", "Elle devra reprendre le poste pour travailler à nouveau."], done: (id) => "Poste " + id + " déconnecté." },
    resume: { label: "Remettre en service", states: ["paused"], title: (id) => "Remettre le poste " + id + " en service ?",
      items: ["Le poste sort de pause et reçoit le prochain appel."], done: (id) => "Poste " + id + " remis en service." },
  };
  function seatButton(seat, action) {
    const a = SEAT_ACTIONS[action];
    const button = S.el("button", a.label, "small" + (action === "logout" ? " secondary" : ""), { type: "button", "aria-label": a.label + " le poste " + seat.seat_id, "data-action": action });
    button.addEventListener("click", async () => {
      if (!await S.confirmDialog(a.title(seat.seat_id), a.items, "Confirmer : " + a.label.toLowerCase())) return;
      await S.attempt(() => S.api(base + "/telephony/seats/" + encodeURIComponent(seat.seat_id) + "/supervisor/" + action, { method: "POST", body: {} }), a.done(seat.seat_id));
      refresh.seats();
    });
    return button;
  }
  async function seats() {
    const list = await S.api(base + "/telephony/seats");
    const body = document.querySelector("#seats tbody");
    body.replaceChildren(...list.filter((s) => s.state !== "logged_out").map((s) => {
      const tr = S.el("tr", null, "seat-" + s.state, { "data-seat": s.seat_id });
      tr.append(S.el("td", s.seat_id), S.el("td", SEAT_STATES[s.state] || s.state), S.el("td", s.pause_reason_label || ""), S.el("td", S.since(s.since)), S.el("td", s.call_id || ""));
      if (supervising) {
        const cell = S.el("td", null, "actions");
        for (const action of Object.keys(SEAT_ACTIONS)) if (SEAT_ACTIONS[action].states.includes(s.state)) cell.append(seatButton(s, action));
        tr.append(cell);
      }
      return tr;
    }));
    if (!body.children.length) { const tr = S.el("tr", null, "meta"); tr.append(S.el("td", "Aucun poste connecté.", null, { colspan: supervising ? "6" : "5" })); body.append(tr); }
  }

  async function board() {
    const list = await S.api(base + "/files/board");
    const body = document.querySelector("#board tbody");
    body.replaceChildren(...list.map((f) => {
      const tr = S.el("tr", null, "prio-" + f.priority);
      tr.append(S.td(S.fileLink(f.number)), S.el("td", f.priority || "—"), S.el("td", S.fileStatus(f)),
        S.el("td", S.duration(f.waiting_s)), S.el("td", f.holder_name ? f.holder_name + " (" + S.since(f.held_since) + ")" : ""));
      return tr;
    }));
  }

  async function callbacks() {
    const list = await S.api(base + "/telephony/callbacks");
    const box = document.getElementById("callbacks");
    box.replaceChildren(...list.map((c) => S.el("li", c.caller_number + " · " + c.call_ids.length + " appel(s) perdu(s) · dernier à " + S.time(c.last_abandoned_at) + " · " + c.attempts + " tentative(s)")));
    if (!list.length) box.append(S.el("li", "Aucun rappel en attente.", "meta"));
  }

  const refresh = {
    wallboard: () => wallboard().catch((e) => S.toast(e.message)),
    seats: () => seats().catch((e) => S.toast(e.message)),
    board: () => board().catch((e) => S.toast(e.message)),
    callbacks: () => callbacks().catch((e) => S.toast(e.message)),
  };
  S.on("call.", () => { refresh.wallboard(); refresh.seats(); });
  S.on("seat.", () => { refresh.wallboard(); refresh.seats(); });
  S.on("callback.", () => { refresh.wallboard(); refresh.callbacks(); });
  S.on("case.", refresh.board);
  setInterval(() => { refresh.wallboard(); refresh.seats(); }, 15000); // waiting times move between events
  S.instructionsPanel();
  S.territoryMap("map", document.getElementById("hospitals")).catch((e) => S.toast("Carte indisponible : " + e.message));
  S.start();
})();
