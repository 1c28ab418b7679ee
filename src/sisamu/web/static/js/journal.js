// sisamu — the live journal in words: one French sentence per kind of event the platform sends, in one table.
// A kind not in the table is still said in French, by its family (« Dossier … : mise à jour »). Events carry ids
// and codes only (never a caller's or a patient's words); the line reaches the page as text (textContent).
"use strict";
const SisamuJournal = (function () {
  const STATES = { PROGRAM: "programmé", ACTIF: "actif", ACHEVE: "achevé", VALIDE: "validé", CLOTURE: "clôturé", CLASSE: "classé", ARCHIVE: "archivé" };
  const file = (e) => "Dossier " + e.id;
  const call = (e) => "Appel " + e.id;
  const seat = (e) => (e.data && e.data.seat_id ? " au poste " + e.data.seat_id : "");
  const prio = (e) => (e.data && e.data.priority ? " (" + e.data.priority + ")" : "");
  const KINDS = {
    "case.opened": (e) => file(e) + " ouvert" + prio(e),
    "case.updated": (e) => file(e) + " modifié",
    "case.queued": (e) => file(e) + " transmis à la régulation médicale" + prio(e),
    "case.reflex": (e) => "Départ réflexe : dossier " + e.id + " confié directement à un médecin" + prio(e),
    "case.taken": (e) => file(e) + " pris en charge par un médecin régulateur",
    "case.released": (e) => file(e) + " libéré par le médecin régulateur",
    "case.noted": (e) => "Note ajoutée au dossier " + e.id,
    "case.regulated": (e) => file(e) + " : décision médicale enregistrée",
    "case.status": (e) => file(e) + (e.data && e.data.state ? " désormais " + (STATES[e.data.state] || e.data.state) : " : changement d'état"),
    "case.shared": (e) => file(e) + " partagé avec un autre SAMU",
    "case.unshared": (e) => "Partage du dossier " + e.id + " retiré",
    "call.offered": (e) => call(e) + " entrant",
    "call.queued": (e) => call(e) + " en file d'attente",
    "call.presented": (e) => call(e) + " présenté" + seat(e),
    "call.overflowed": (e) => call(e) + " débordé vers un SAMU partenaire",
    "call.answered": (e) => call(e) + " décroché" + seat(e),
    "call.transferred": (e) => call(e) + " transféré",
    "call.ended": (e) => call(e) + " terminé" + seat(e),
    "call.abandoned": (e) => call(e) + " perdu (l'appelant a raccroché)",
    "call.location": (e) => "Localisation AML reçue pour l'appel " + e.id,
    "callback.changed": () => "Liste des rappels mise à jour",
    "seat.changed": (e) => "Poste " + e.id + " : changement d'état",
    "overflow.agreement": (e) => "Accord de débordement du SAMU " + e.id + " modifié",
    "room.instruction": () => "Nouvelle consigne de salle",
    "mission.engaged": (e) => "Moyen " + ((e.data && e.data.resource_id) || "") + " engagé" + (e.data && e.data.file_number ? " sur le dossier " + e.data.file_number : ""),
    "mission.status": (e) => "Moyen " + ((e.data && e.data.resource_id) || "") + " : " + (e.data && e.data.status ? Sisamu.missionLabel(e.data.status).toLowerCase() : "nouveau statut"),
    "mission.message": () => "Message radio d'un équipage",
    "resource.added": (e) => "Moyen " + e.id + " ajouté",
    "resource.updated": (e) => "Moyen " + e.id + " modifié",
    "resource.status": (e) => "Moyen " + e.id + " : disponibilité mise à jour",
    "resource.position": (e) => "Moyen " + e.id + " : nouvelle position",
    "file.smur_report": (e) => "Bilan SMUR reçu pour le dossier " + e.id,
    "hospital.capacity": () => "Lits disponibles d'un établissement mis à jour",
    "hospital.status": () => "État des urgences d'un établissement mis à jour",
    "hospital.allocation": () => "Répartition des victimes entre établissements",
    "crisis.changed": () => "Crise : situation mise à jour",
    "crisis.log": () => "Crise : nouvelle entrée de la main courante",
    "telephony.failed": (e) => "Échec d'une commande téléphonique" + (e.id ? " au poste " + e.id : ""),
    "cti.outgoing_call": (e) => "Appel sortant demandé au poste " + e.id,
    "cti.file_correlated": (e) => "Appel " + e.id + " rattaché à un dossier",
    "cti.display_file": (e) => "Affichage d'un dossier demandé au poste " + e.id,
  };
  const FAMILIES = {
    "case.": (e) => file(e) + " : mise à jour", "call.": (e) => call(e) + " : mise à jour",
    "seat.": (e) => "Poste " + e.id + " : mise à jour", "mission.": () => "Mission : mise à jour",
    "resource.": (e) => "Moyen " + e.id + " : mise à jour", "crisis.": () => "Crise : mise à jour",
    "hospital.": () => "Établissement : mise à jour",
  };
  // The sentence for one event (without the time).
  function line(event) {
    const say = Object.hasOwn(KINDS, event.kind) ? KINDS[event.kind] : null;
    if (say) return say(event);
    const family = Object.keys(FAMILIES).find((prefix) => event.kind.startsWith(prefix));
    return family ? FAMILIES[family](event) : "Événement de la plateforme" + (event.id ? " (" + event.id + ")" : "");
  }
  return { line, kinds: Object.keys(KINDS) };
})();
