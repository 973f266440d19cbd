"""The staff page speaks Dutch: no status or reason code, English field name or Python value
may reach any page's visible text (the API and CLI keep their codes)."""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

import lxml.html
import pytest

from crm.offices import get_office
from models import session_scope
from planner.periods import Period
from planner.rules import create_workflow
from tests.api_fixtures import World

D = dt.date
PASSWORD = "correct horse battery"  # noqa: S105 - the test user's, made in tests.api_fixtures

# Codes the API speaks and the page must translate, English field names, Python literals.
FORBIDDEN = [
    *("received", "matched", "unmatched", "rejected", "duplicate", "dismissed"),
    *("invalid_identifier", "no_relation", "legal_form_missing", "wrong_relation_type"),
    *("sbr_disabled", "before_sbr_start", "ambiguous", "no_product", "parse_error"),
    *("period_start", "period_end", "relation_number", "workflow_id", "workflow_started"),
    *("identifier", "explanation", "duplicate_of", "file", "kind", "status", "reason"),
    *("True", "False", "None", "organisation", "person", "supplier"),
    *("prepare", "review", "client_approval", "submit", "four_weeks", "quarter", "month"),
    *("aangifte_ob", "opgaaf_icp", "loonaangifte_", "aangifte_ib", "aangifte_vpb"),
    *("staff", "system", "assign", "undo", "rerun", "Sign in", "Log out", "Not Found"),
    *("fiscal_numbers", "legal_form", "products", "contacts", "BSN_RSIN"),
]
WORD = re.compile(r"\b(" + "|".join(re.escape(w) for w in FORBIDDEN) + r")\b")


def _visible_text(html: str) -> str:
    """What a reader sees: the body's text without the raw message (XML, shown as sent)."""
    document = cast(lxml.html.HtmlElement, lxml.html.document_fromstring(html))
    hidden = document.xpath("//pre[contains(@class, 'raw')] | //style | //script")
    for element in cast(list[lxml.html.HtmlElement], hidden):
        element.drop_tree()
    text = str(cast(lxml.html.HtmlElement, document.find("body")).text_content())
    # E-mail addresses name people, not codes (staff@a.example is the test member).
    return re.sub(r"\S+@\S+", "", text)


def _sign_in(world: World) -> None:
    form = world.client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token is not None
    answer = world.client.post(
        "/login",
        data={"email": "staff@a.example", "password": PASSWORD, "csrf": token.group(1)},
    )
    assert answer.status_code == 200


@pytest.mark.parametrize("own_database_url", ["postgresql"], indirect=True)
def test_no_code_or_english_field_name_reaches_the_page(world: World) -> None:
    # Something in every state: a placed return (with its workflow), a dismissed one, a
    # waiting one, and an open workflow from the planner's side.
    client = world.client
    # Fixed through the return, so its history holds the staff member's fix in words.
    assert client.post(
        f"/api/offices/a/returns/{world.sbr_off}/fixes/sbr",
        json={"relation_number": "1001", "sbr_enabled": True},
        headers=world.auth(),
    ).is_success
    # A field edit, so 1002's timeline says which fields changed.
    assert client.post(
        f"/api/offices/a/returns/{world.ib}/fixes/legal-form",
        json={"relation_number": "1002", "legal_form": "vof"},
        headers=world.auth(),
    ).is_success
    assert client.post(
        f"/api/offices/a/returns/{world.ib}/dismiss",
        json={"remark": "testbericht"},
        headers=world.auth(),
    ).is_success
    with session_scope(world.engine) as session:
        office = get_office(session, "a")
        create_workflow(
            session, office, "1001", "aangifte_ob", Period(D(2025, 1, 1), D(2025, 3, 31))
        )
    _sign_in(world)
    pages = [
        "/",
        *(f"/?tab={tab}" for tab in ("wacht", "geweigerd", "afgehandeld", "geplaatst", "alles")),
        *(f"/returns/{i}" for i in (world.sbr_off, world.unknown, world.ib)),
        f"/returns/{world.unknown}?zoek=Jansen",
        f"/returns/{world.unknown}?kies=1001",
        "/relaties",
        "/relaties/1001",
        "/relaties/1002",
        "/planbord",
        "/dashboard",
        "/returns/999999",  # not found: a Dutch page too
    ]
    leaks = {}
    for path in pages:
        answer = client.get(path)
        assert answer.status_code in (200, 404), path
        found = sorted(set(WORD.findall(_visible_text(answer.text))))
        if found:
            leaks[path] = found
    assert leaks == {}
    client.post("/logout", data={"csrf": "x"})
    login = client.get("/login")
    assert WORD.findall(_visible_text(login.text)) == []
