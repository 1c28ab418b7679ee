// sisamu — "Mes jetons d'accès": the account's bearer tokens, each with a revoke button.
// Token names are the users' text: they reach the page through textContent only (never innerHTML).
"use strict";
(function () {
  const page = document.getElementById("tokens-page");
  const csrf = page.dataset.csrf;
  const body = document.querySelector("#tokens tbody");
  const statusLine = document.getElementById("tokens-status");

  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }
  function date(iso) { return iso ? new Date(iso).toLocaleString("fr-FR") : "—"; }
  function state(t) { return t.revoked_at ? "révoqué" : (t.active ? "actif" : "expiré"); }

  async function call(method, path) {
    const response = await fetch(path, { method, headers: { "Accept": "application/json", "X-CSRF-Token": csrf } });
    if (response.status === 401) { location.href = "/login?next=/console/tokens"; throw new Error("Session expirée."); }
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error((data && typeof data.detail === "string") ? data.detail : "Requête refusée (" + response.status + ").");
    return data;
  }

  async function load() {
    const list = await call("GET", "/api/tokens");
    body.replaceChildren();
    for (const t of list) {
      const row = document.createElement("tr");
      row.dataset.tokenId = t.token_id;
      row.append(cell(t.name), cell(date(t.created_at)), cell(date(t.expires_at)), cell(state(t)));
      const actions = document.createElement("td");
      if (t.active) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "Révoquer";
        button.addEventListener("click", () => revoke(t));
        actions.append(button);
      }
      row.append(actions);
      body.append(row);
    }
    if (!list.length) statusLine.textContent = "Aucun jeton.";
  }

  async function revoke(t) {
    try {
      await call("DELETE", "/api/tokens/" + encodeURIComponent(t.token_id));
      statusLine.textContent = "Jeton « " + t.name + " » révoqué.";
      await load();
    } catch (err) { statusLine.textContent = err.message; }
  }

  load().catch((err) => { statusLine.textContent = err.message; });
})();
