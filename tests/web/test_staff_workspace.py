"""The staff workspace in a real browser (Debian's Chromium, headless, through Playwright)
against a real ``sbr-inbox serve`` process on PostgreSQL, as a medewerker uses it.

One office holds a waiting return for each of the eight reasons (and a few more), each on
its own fiscal number, so every test fixes its own return whatever ran before it. Every page
is photographed into ``test-artifacts/`` at desktop and at phone width (390 px).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import update

from crm.importer import import_relations
from crm.offices import get_office
from crm.queries import get_relation
from inbox.intake import receive
from inbox.runner import process_until_idle
from models import (
    InboxReturn,
    Relation,
    ReturnStatus,
    session_scope,
)
from planner.periods import Period
from planner.rules import create_workflow
from sbr_parser import message_builder as build
from tests.api_fixtures import Q1, World, build_world
from tests.conftest import REPO_ROOT
from tests.support.factories import organisation_row
from tests.support.harness import Pipeline
from tests.support.leftovers import refers_to, relation_state

pytestmark = pytest.mark.parametrize("module_database_url", ["postgresql"], indirect=True)

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"  # noqa: S105 - the test user's, made in tests.api_fixtures
ARTIFACTS = REPO_ROOT / "test-artifacts"
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
RED = "rgb(179, 38, 30)"  # --bad in api/static/style.css


def _ob(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "OB", "value": value, "sbr_enabled": True, **extra}


# Relation rows and the return each scenario waits with (its OB number, Q1 2026).
SCENARIOS: dict[str, tuple[list[dict[str, Any]], str]] = {
    "before_sbr_start": (
        [organisation_row(number="3001", fiscal_numbers=[_ob("100000630B01")])],
        "100000630B01",
    ),
    "ambiguous": (
        [
            organisation_row(number="3002", name="Twee B.V.", fiscal_numbers=[_ob("100000721B01")]),
            organisation_row(number="3003", name="Drie B.V.", fiscal_numbers=[_ob("100000721B01")]),
        ],
        "100000721B01",
    ),
    "no_product": (
        [organisation_row(number="3004", fiscal_numbers=[_ob("100000770B01")], products=[])],
        "100000770B01",
    ),
    "legal_form_missing": (
        [organisation_row(number="3005", fiscal_numbers=[_ob("100000812B01")])],
        "100000812B01",
    ),
    "invalid_identifier": ([], "123456789B01"),
    # Assigned with the warning that 3006 holds another number: the number is added.
    "assign_adds_number": (
        [
            organisation_row(
                number="3006", name="Zes Installatie B.V.", fiscal_numbers=[_ob("100000903B01")]
            )
        ],
        "100000861B01",
    ),
    # Assigned to the wrong relation and undone.
    "undo": ([], "100000952B01"),
    # Issue 22: a sole trader's return (the OB number is 3009-1's BSN + B01) placed on Acht
    # B.V. with "Nummer toevoegen aan deze relatie en plaatsen", then undone.
    "undo_adding_number": (
        [
            organisation_row(
                number="3008",
                name="Acht B.V.",
                fiscal_numbers=[_ob("100018026B01", sbr_start_date="2025-12-31")],
            ),
            {
                "number": "3009-1",
                "type": "person",
                "last_name": "Negen",
                "initials": "N.",
                "fiscal_numbers": [{"type": "BSN_RSIN", "value": "100018002", "sbr_enabled": True}],
            },
        ],
        "100018002B01",
    ),
    # A number taken off a relation, after the page named the return that waits with it.
    "remove_number": (
        [
            organisation_row(
                number="3010", name="Tien B.V.", fiscal_numbers=[_ob("100018051B01")], products=[]
            )
        ],
        "100018051B01",
    ),
}


@dataclass
class Workspace:
    """The served office and what the tests act on."""

    base: str
    world: World
    ids: dict[str, int]
    overdue_workflow: int
    browser: Browser
    shots: Path


@pytest.fixture(scope="module")
def workspace(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    worlds = build_world(module_database_url)
    world = next(worlds)
    ids = _seed(world)
    with session_scope(world.engine) as session:
        # A workflow whose filing and payment deadlines passed (30 April 2025), still open.
        overdue = create_workflow(
            session,
            get_office(session, "a"),
            "1001",
            "aangifte_ob",
            Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ).id
    work = tmp_path_factory.mktemp("workspace")
    pipeline = Pipeline(module_database_url, "redis://unused", work)
    pipeline.env.pop("SBR_INBOX_BROKER_URL")  # embedded: the page's fixes re-decide inline
    try:
        base = pipeline.serve()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            ARTIFACTS.mkdir(exist_ok=True)
            yield Workspace(base, world, ids, overdue, browser, ARTIFACTS)
            browser.close()
    finally:
        pipeline.stop_all()
        next(worlds, None)


def _seed(world: World) -> dict[str, int]:
    ids = {"sbr_disabled": world.sbr_off, "no_relation": world.unknown, "wrong_type": world.ib}
    with session_scope(world.engine) as session:
        rows = [row for relations, _ in SCENARIOS.values() for row in relations]
        # For the relation page's own edits.
        rows.append(
            organisation_row(
                number="3007",
                name="Zeven",
                legal_form="vof",
                contacts=[{"number": "C7", "initials": "Z.", "last_name": "Zeven"}],
            )
        )
        rows[0]["fiscal_numbers"][0]["sbr_start_date"] = "2026-06-01"  # 3001: too late
        import_relations(session, {"office": "a", "relations": rows})
        # A record from before the legal form was required (the import refuses it today).
        session.execute(update(Relation).where(Relation.number == "3005").values(legal_form=None))
        office = get_office(session, "a")
        for name, (_, number) in SCENARIOS.items():
            period = Q3 if name == "undo" else Q1
            data = build.ob_return(number, *period, amount_due=555)
            ids[name] = receive(session, office, data, "r.xbrl").id
        # Acht B.V.'s own Q1 return: its workflow has an amount and a betalingskenmerk.
        receive(session, office, build.ob_return("100018026B01", *Q1, amount_due=1000), "8.xbrl")
    process_until_idle(world.engine, max_bytes=10_000_000)
    return ids


@pytest.fixture
def page(workspace: Workspace) -> Iterator[Page]:
    """A signed-in browser tab at desktop width."""
    context = workspace.browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    tab = context.new_page()
    tab.goto(f"{workspace.base}/login")
    tab.fill("input[name=email]", "staff@a.example")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    expect(tab.locator("h1")).to_contain_text("Aangiften")
    yield tab
    context.close()


def _open(page: Page, workspace: Workspace, scenario: str) -> int:
    return_id = workspace.ids[scenario]
    page.goto(f"{workspace.base}/returns/{return_id}")
    expect(page.locator("#status")).to_have_text("niet geplaatst")
    return return_id


def _placed(page: Page, workspace: Workspace, name: str, relation: str) -> None:
    expect(page.locator("#status")).to_have_text("geplaatst")
    expect(page.locator("#explanation")).to_contain_text(f"geplaatst bij relatie {relation}")
    page.screenshot(path=str(workspace.shots / f"fixed-{name}.png"), full_page=True)


def test_sbr_disabled_switch_sbr_on(page: Page, workspace: Workspace) -> None:
    _open(page, workspace, "sbr_disabled")
    page.screenshot(path=str(workspace.shots / "return-sbr_disabled.png"), full_page=True)
    page.get_by_role("button", name="SBR inschakelen").click()
    _placed(page, workspace, "sbr_disabled", "1001")
    expect(page.locator("#next")).to_be_visible()  # "volgende" after a fix


def test_before_sbr_start_move_the_start_date(page: Page, workspace: Workspace) -> None:
    _open(page, workspace, "before_sbr_start")
    page.get_by_role("button", name="Startdatum opslaan").click()
    _placed(page, workspace, "before_sbr_start", "3001")


def test_ambiguous_switch_sbr_off_at_the_wrong_relation(page: Page, workspace: Workspace) -> None:
    _open(page, workspace, "ambiguous")
    page.get_by_role("button", name="SBR uitschakelen bij 3003").click()
    _placed(page, workspace, "ambiguous", "3002")


def test_no_product_add_it(page: Page, workspace: Workspace) -> None:
    _open(page, workspace, "no_product")
    page.get_by_role("button", name="Product Aangifte omzetbelasting toevoegen").click()
    _placed(page, workspace, "no_product", "3004")


def test_legal_form_missing_set_it(page: Page, workspace: Workspace) -> None:
    _open(page, workspace, "legal_form_missing")
    page.select_option("select[name=legal_form]", "bv")
    page.get_by_role("button", name="Rechtsvorm opslaan").click()
    _placed(page, workspace, "legal_form_missing", "3005")


def test_wrong_relation_type_person_from_contact_then_product(
    page: Page, workspace: Workspace
) -> None:
    _open(page, workspace, "wrong_type")
    page.get_by_role("button", name="Relatie aanmaken o.b.v. contact").click()
    expect(page.locator("#message")).to_contain_text("Persoonsrelatie 1002-1 aangemaakt")
    expect(page.locator("#explanation")).to_contain_text("geen actief product")
    person = page.locator("#candidate-1002-1")
    person.get_by_role("button", name="Product Aangifte inkomstenbelasting toevoegen").click()
    _placed(page, workspace, "wrong_relation_type", "1002-1")


def test_no_relation_create_a_relation_from_the_return(page: Page, workspace: Workspace) -> None:
    _open(page, workspace, "no_relation")
    form = page.locator("#new-relation")
    form.locator("input[name=number]").fill("4001")
    form.locator("input[name=name]").fill("Nieuw Bedrijf B.V.")
    form.locator("select[name=legal_form]").select_option("bv")
    form.get_by_role("button", name="Relatie aanmaken").click()
    _placed(page, workspace, "no_relation", "4001")


def test_invalid_identifier_placed_by_hand_after_a_search(page: Page, workspace: Workspace) -> None:
    _open(page, workspace, "invalid_identifier")
    page.fill("input[name=zoek]", "Jansen")
    page.get_by_role("button", name="Zoeken").click()
    page.locator("#search-results").get_by_role("link", name="Kiezen").first.click()
    expect(page.locator("#confirm")).to_contain_text("staat niet bij relatie 1001")
    page.get_by_role("button", name="Alleen deze aangifte plaatsen").click()
    _placed(page, workspace, "invalid_identifier", "1001")


def test_assign_warns_adds_the_number_and_the_next_period_matches(
    page: Page, workspace: Workspace
) -> None:
    _open(page, workspace, "assign_adds_number")
    page.fill("input[name=zoek]", "Zes Installatie")
    page.get_by_role("button", name="Zoeken").click()
    page.locator("#search-results").get_by_role("link", name="Kiezen").click()
    confirm = page.locator("#confirm")
    expect(confirm).to_contain_text("staat niet bij relatie 3006")
    expect(confirm).to_contain_text("ander OB-nummer: 100000903B01")
    page.screenshot(path=str(workspace.shots / "assign-warning.png"), full_page=True)
    page.get_by_role("button", name="Nummer toevoegen aan deze relatie en plaatsen").click()
    _placed(page, workspace, "assign_adds_number", "3006")
    # The next quarter's return is placed by the rules alone.
    with session_scope(workspace.world.engine) as session:
        office = get_office(session, "a")
        following = receive(session, office, build.ob_return("100000861B01", *Q2), "q2.xbrl").id
    process_until_idle(workspace.world.engine, max_bytes=10_000_000)
    page.goto(f"{workspace.base}/returns/{following}")
    expect(page.locator("#explanation")).to_contain_text("geplaatst bij relatie 3006")


def test_undo_after_a_wrong_assignment_leaves_nothing_behind(
    page: Page, workspace: Workspace
) -> None:
    return_id = _open(page, workspace, "undo")
    page.fill("input[name=zoek]", "1001")
    page.get_by_role("button", name="Zoeken").click()
    page.locator("#search-results").get_by_role("link", name="Kiezen").first.click()
    page.get_by_role("button", name="Alleen deze aangifte plaatsen").click()
    expect(page.locator("#status")).to_have_text("geplaatst")
    page.get_by_role("button", name="Laatste beslissing ongedaan maken").click()
    expect(page.locator("#status")).to_have_text("niet geplaatst")
    with session_scope(workspace.world.engine) as session:
        relation = get_relation(session, get_office(session, "a"), "1001")
        assert refers_to(session, relation.id, return_id) == []
    # The return's history says who undid it; the relation's timeline is as it was (issue 22).
    expect(page.locator("#history")).to_contain_text("staff@a.example")
    expect(page.locator("#history")).to_contain_text("ongedaan gemaakt")
    page.goto(f"{workspace.base}/relaties/1001")
    expect(page.locator("#timeline")).not_to_contain_text(f"aangifte #{return_id}")


def _relation_state(workspace: Workspace, number: str) -> dict[str, Any]:
    with session_scope(workspace.world.engine) as session:
        relation = get_relation(session, get_office(session, "a"), number)
        return relation_state(session, relation.id)


def test_undo_of_a_number_added_and_placed_leaves_the_relation_exactly_as_before(
    page: Page, workspace: Workspace
) -> None:
    return_id = _open(page, workspace, "undo_adding_number")
    expect(page.locator("#explanation")).to_contain_text("begint met het BSN van 3009-1")
    before = _relation_state(workspace, "3008")
    [(_, _, amount, kenmerk, _)] = before["workflows"]
    assert amount == 1000
    assert kenmerk is not None
    page.fill("input[name=zoek]", "3008")
    page.get_by_role("button", name="Zoeken").click()
    page.locator("#search-results").get_by_role("link", name="Kiezen").first.click()
    page.get_by_role("button", name="Nummer toevoegen aan deze relatie en plaatsen").click()
    _placed(page, workspace, "undo_adding_number", "3008")
    placed = _relation_state(workspace, "3008")
    assert ("OB", "100018002B01", True, dt.date(2025, 12, 31), False) in placed["numbers"]
    assert placed["workflows"][0][2] == 555  # the wrong return's amount went to the workflow
    assert len(placed["documents"]) == len(before["documents"]) + 1

    page.get_by_role("button", name="Laatste beslissing ongedaan maken").click()
    expect(page.locator("#status")).to_have_text("niet geplaatst")
    # Numbers, the workflow's amount, kenmerk and iDEAL, dossier and timeline: as before.
    assert _relation_state(workspace, "3008") == before
    # The return names its likely owner again, and a colleague's "SBR inschakelen" cannot
    # place it on Acht B.V.: the number is not there.
    expect(page.locator("#explanation")).to_contain_text("begint met het BSN van 3009-1")
    expect(page.locator("#candidate-3009-1")).to_be_visible()
    page.screenshot(path=str(workspace.shots / "undone-adding-number.png"), full_page=True)
    assert return_id


def test_a_number_is_removed_after_a_confirmation_naming_the_waiting_returns(
    page: Page, workspace: Workspace
) -> None:
    waiting = workspace.ids["remove_number"]  # waits at 3010 for a product
    page.goto(f"{workspace.base}/relaties/3010")
    page.locator("#fiscal-numbers").get_by_role("link", name="Verwijderen").click()
    expect(page.locator("h1")).to_contain_text("100018051B01 verwijderen bij 3010")
    expect(page.locator("#affected")).to_contain_text(f"#{waiting}")
    expect(page.locator("#affected")).to_contain_text("Product ontbreekt")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(workspace.shots / f"remove-number-{width}.png"), full_page=True)
    page.get_by_role("button", name="Ja, 100018051B01 verwijderen").click()
    expect(page.locator("#message")).to_contain_text("100018051B01 verwijderd")
    expect(page.locator("#fiscal-numbers")).not_to_contain_text("100018051B01")
    with session_scope(workspace.world.engine) as session:
        row = session.get(InboxReturn, waiting)
        assert row is not None
        # Decided again: nobody holds its number now.
        assert (row.status, row.reason) == (ReturnStatus.UNMATCHED, "no_relation")


def test_search_finds_a_return_by_number_and_by_relation_name(
    page: Page, workspace: Workspace
) -> None:
    page.goto(f"{workspace.base}/?tab=alles&q=100000630")
    expect(page.get_by_role("link", name=f"#{workspace.ids['before_sbr_start']}")).to_be_visible()
    # The IB return carries Bakker's BSN; Bakker is the relation holding it.
    page.goto(f"{workspace.base}/?tab=alles&q=Bakker")
    expect(page.get_by_role("link", name=f"#{workspace.ids['wrong_type']}")).to_be_visible()
    expect(page.get_by_role("link", name=f"#{workspace.ids['sbr_disabled']}")).to_have_count(0)


def test_the_planbord_shows_an_overdue_workflow_in_red(page: Page, workspace: Workspace) -> None:
    page.goto(f"{workspace.base}/planbord")
    row = page.locator(f"#workflow-{workspace.overdue_workflow}")
    expect(row).to_contain_text("30-04-2025 (verlopen)")
    expect(row.locator("td").first).to_have_css("color", RED)


def test_the_relation_page_edits_legal_form_numbers_and_makes_a_person_once(
    page: Page, workspace: Workspace
) -> None:
    page.goto(f"{workspace.base}/relaties/3007")
    page.select_option("select[name=legal_form]", "bv")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#message")).to_contain_text("Rechtsvorm opgeslagen")
    expect(page.locator("select[name=legal_form]")).to_have_value("bv")
    page.fill("input[name=value]:not([type=hidden])", "100001099B01")
    page.get_by_role("button", name="Nummer toevoegen (SBR aan)").click()
    expect(page.locator("#fiscal-numbers")).to_contain_text("100001099B01")
    # The person gets the contact's number (C7), once.
    for expected in ("Persoonsrelatie C7 aangemaakt", "heeft al persoonsrelatie C7"):
        page.get_by_role("button", name="Relatie aanmaken o.b.v. contact").click()
        expect(page.locator("#message")).to_contain_text(expected)
    page.screenshot(path=str(workspace.shots / "relation-edited.png"), full_page=True)


PAGES = [
    "/",
    "/?tab=alles",
    "/returns/{id}",
    "/relaties",
    "/relaties/1001",
    "/planbord",
    "/dashboard",
]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_fits_and_is_photographed(workspace: Workspace, page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for path in PAGES:
        page.goto(workspace.base + path.format(id=workspace.ids["no_relation"]))
        expect(page.locator("main")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{path} is {overflow} px wide at {width} px"
        name = path.strip("/").replace("/", "-").replace("?", "").replace("=", "-") or "queue"
        name = name.replace("{id}", "detail")
        page.screenshot(path=str(workspace.shots / f"page-{name}-{width}.png"), full_page=True)


def test_the_first_tab_stop_is_the_work(page: Page, workspace: Workspace) -> None:
    page.goto(f"{workspace.base}/returns/{workspace.ids['no_relation']}")
    page.keyboard.press("Tab")
    inside_main = page.evaluate("document.activeElement.closest('main') !== null")
    assert inside_main


def test_a_stale_form_leads_to_sign_in_and_back(workspace: Workspace) -> None:
    context = workspace.browser.new_context()
    tab = context.new_page()
    tab.goto(f"{workspace.base}/login")
    tab.fill("input[name=email]", "staff@a.example")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    target = "/relaties/1001"
    tab.goto(workspace.base + target)
    context.clear_cookies()  # as after a restart with a new key: the session is gone
    tab.get_by_role("button", name="Product toevoegen").click()
    expect(tab.locator("#message")).to_contain_text("Uw sessie was verlopen")
    expect(tab.locator("input[name=email]")).to_be_visible()
    tab.fill("input[name=email]", "staff@a.example")
    tab.fill("input[name=password]", "wrong password here")
    tab.click("button[type=submit]")
    expect(tab.locator("input[name=email]")).to_have_value("staff@a.example")  # kept
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    assert tab.url.endswith(target)
    context.close()


def test_swagger_ui_works_offline(workspace: Workspace) -> None:
    context = workspace.browser.new_context()
    tab = context.new_page()
    # Any request off this server fails, as on a machine without internet.
    tab.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(workspace.base) else route.abort()
        ),
    )
    tab.goto(f"{workspace.base}/docs")
    expect(tab.locator(".swagger-ui .title")).to_contain_text("SBR inbox")
    context.close()
