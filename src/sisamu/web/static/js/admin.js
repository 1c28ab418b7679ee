// Account administration: the accounts this administrator manages, a creation form, role changes, second-factor
// resets, disabling and enabling. Passwords and TOTP secrets are shown once, as text, then forgotten.
"use strict";
(function () {
  const S = Sisamu;
  const base = "/api/admin/accounts";
  const samuFilter = document.getElementById("accounts-samu");
  let scope = null;
  let editing = null;

  function when(iso) {
    return iso ? new Date(iso).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" }) : "jamais";
  }

  // The SAMU choices a role allows: required (this administrator's SAMUs), none (nationwide role), optional.
  function fillSamus(select, role, current) {
    const choice = scope.roles.find((r) => r.role === role);
    const options = [];
    if (!choice || choice.samu !== "required") options.push(S.el("option", "Aucun (national)", null, { value: "" }));
    if (!choice || choice.samu !== "none") for (const id of scope.samus) options.push(S.el("option", "SAMU " + id, null, { value: id }));
    select.replaceChildren(...options);
    if (current !== undefined && [...select.options].some((o) => o.value === (current || ""))) select.value = current || "";
  }
  function fillRoles(select) {
    select.replaceChildren(...scope.roles.map((r) => S.el("option", r.label, null, { value: r.role })));
  }

  // A button that asks for a second click before it acts.
  function confirmed(label, confirmLabel, cls, action) {
    const button = S.el("button", label, "small " + cls, { type: "button" });
    button.addEventListener("click", async () => {
      if (button.dataset.armed !== "1") {
        button.dataset.armed = "1";
        button.textContent = confirmLabel;
        setTimeout(() => { button.dataset.armed = ""; button.textContent = label; }, 5000);
        return;
      }
      button.disabled = true;
      await action();
    });
    return button;
  }

  function showEnrolment(made) {
    const panel = document.getElementById("panel-enrolment");
    document.getElementById("enrol-username").textContent = made.account.username;
    const hasPassword = made.password !== null;
    document.getElementById("enrol-password-label").hidden = !hasPassword;
    const password = document.getElementById("enrol-password");
    password.hidden = !hasPassword;
    password.textContent = made.password || "";
    document.getElementById("enrol-secret").textContent = made.totp_secret;
    document.getElementById("enrol-uri").textContent = made.totp_uri;
    const qr = document.getElementById("enrol-qr");
    qr.hidden = !made.totp_qr;
    if (made.totp_qr) qr.src = made.totp_qr; else qr.removeAttribute("src");
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  }
  function forgetEnrolment() {
    for (const id of ["enrol-username", "enrol-password", "enrol-secret", "enrol-uri"]) document.getElementById(id).textContent = "";
    document.getElementById("enrol-qr").removeAttribute("src");
    document.getElementById("panel-enrolment").hidden = true;
  }
  document.getElementById("enrol-done").addEventListener("click", forgetEnrolment);

  function editRole(a) {
    editing = a;
    document.getElementById("role-username").textContent = a.username;
    const role = document.getElementById("role-role");
    fillRoles(role);
    role.value = a.role;
    fillSamus(document.getElementById("role-samu"), a.role, a.samu_id);
    document.getElementById("panel-role").hidden = false;
  }

  function row(a) {
    const tr = S.el("tr", null, a.active ? "account-active" : "account-disabled", { "data-username": a.username });
    const actions = S.el("td", null, "actions");
    if (a.username !== S.ctx.username) {
      if (a.active) {
        actions.append(confirmed("Désactiver", "Confirmer la désactivation", "danger", async () => {
          const done = await S.attempt(() => S.api(base + "/" + a.account_id + "/disable", { method: "POST" }));
          if (done) S.toast("Compte " + a.username + " désactivé : " + done.sessions_ended + " session(s) fermée(s), " + done.tokens_revoked + " jeton(s) révoqué(s).", "ok");
          load();
        }));
      } else {
        const enable = S.el("button", "Réactiver", "small", { type: "button" });
        enable.addEventListener("click", async () => { await S.attempt(() => S.api(base + "/" + a.account_id + "/enable", { method: "POST" }), "Compte " + a.username + " réactivé."); load(); });
        actions.append(enable);
      }
      actions.append(confirmed("Réinitialiser le TOTP", "Confirmer la réinitialisation", "secondary", async () => {
        const made = await S.attempt(() => S.api(base + "/" + a.account_id + "/totp-reset", { method: "POST" }));
        if (made) showEnrolment(made);
        load();
      }));
      const role = S.el("button", "Rôle…", "small secondary", { type: "button" });
      role.addEventListener("click", () => editRole(a));
      actions.append(role);
    } else {
      actions.append(S.el("span", "votre compte", "meta"));
    }
    tr.append(
      S.el("td", a.username, "mono"), S.el("td", a.display_name), S.el("td", a.role_label), S.el("td", a.samu_id || "national"),
      S.el("td", a.active ? "actif" : "désactivé", "state"), S.el("td", a.totp_enrolled ? "enrôlé" : (a.oidc_linked ? "Pro Santé Connect" : "aucun")),
      S.el("td", when(a.last_login_at)), actions,
    );
    return tr;
  }

  async function load() {
    const samu = samuFilter ? samuFilter.value : "";
    const list = await S.api(base + (samu ? "?samu=" + encodeURIComponent(samu) : ""));
    document.querySelector("#accounts tbody").replaceChildren(...list.map(row));
    document.getElementById("accounts-count").textContent = String(list.length);
  }
  const refresh = () => load().catch((e) => S.toast(e.message));

  const form = document.getElementById("account-form");
  const newRole = document.getElementById("new-role");
  const newSamu = document.getElementById("new-samu");
  newRole.addEventListener("change", () => fillSamus(newSamu, newRole.value));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const password = document.getElementById("new-password").value;
    const made = await S.attempt(() => S.api(base, { method: "POST", body: {
      username: document.getElementById("new-username").value.trim(),
      display_name: document.getElementById("new-display-name").value.trim(),
      role: newRole.value,
      samu_id: newSamu.value || null,
      password: password || null,
    } }), "Compte créé.");
    if (!made) return;
    form.reset();
    fillSamus(newSamu, newRole.value);
    showEnrolment(made);
    refresh();
  });

  const roleForm = document.getElementById("role-form");
  const roleRole = document.getElementById("role-role");
  roleRole.addEventListener("change", () => fillSamus(document.getElementById("role-samu"), roleRole.value));
  document.getElementById("role-cancel").addEventListener("click", () => { document.getElementById("panel-role").hidden = true; editing = null; });
  roleForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!editing) return;
    const samu = document.getElementById("role-samu").value;
    const changed = await S.attempt(() => S.api(base + "/" + editing.account_id + "/role", { method: "POST", body: { role: roleRole.value, samu_id: samu || null } }), "Rôle enregistré.");
    if (!changed) return;
    document.getElementById("panel-role").hidden = true;
    editing = null;
    refresh();
  });

  if (samuFilter) samuFilter.addEventListener("change", refresh);
  S.api("/api/admin/scope").then((found) => {
    scope = found;
    fillRoles(newRole);
    fillSamus(newSamu, newRole.value);
    return load();
  }).catch((e) => S.toast(e.message));
  S.start();
})();
