"""A person whose role has no console (a Hub partner's account) is refused in French with a way out: a logout, and
no link back to the page that refused them; a console view the role may not open links back to the console."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

HTML = {"accept": "text/html"}


def test_a_role_without_a_console_can_log_out_from_the_refusal(login, accounts):
    partner = login("hub_partner.250")
    page = partner.get("/console", headers=HTML)
    assert page.status_code == 403
    assert "Accès refusé" in page.text
    assert 'action="/logout"' in page.text
    assert 'href="/console"' not in page.text  # it would only refuse again
    out = partner.post("/logout", data={"csrf_token": partner.headers["X-CSRF-Token"]})
    assert out.status_code == 303
    assert partner.get("/api/me").status_code == 401


def test_a_view_refused_links_back_to_the_console(login, accounts):
    crew = login("crew.250")
    page = crew.get("/console/regulation", headers=HTML)
    assert page.status_code in (403, 404)
    assert 'href="/console"' in page.text
    assert 'action="/logout"' in page.text
