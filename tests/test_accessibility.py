"""Accessibility in real headless Chromium: axe-core's WCAG 2.2 A/AA rules on every page, in light
and dark mode, plus keyboard focus, the wall's live region and the phone page at 320 px, 200 % and
large text."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from conftest import PHONE, browser_login, screenshot, send, sqlite_only
from facilitator import services
from facilitator.demo import load_demo

pytestmark = [pytest.mark.browser, sqlite_only]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCHEMES = ("light", "dark")


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.x A/AA rules on the page as it is now; return the violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern: the
        # page keeps its strict policy and no script tag is added.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
            return r.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
            }));
        }""",
        WCAG_TAGS,
    )
    return result


def assert_accessible(page, label: str, schemes=SCHEMES) -> None:
    """Zero axe violations in each colour scheme (the page is re-checked after switching)."""
    problems = []
    for scheme in schemes:
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function(
            "(s) => matchMedia('(prefers-color-scheme: dark)').matches === (s === 'dark')", arg=scheme
        )
        for v in axe_violations(page):
            nodes = "; ".join(f"{n['target']}: {n['summary']}" for n in v["nodes"])
            problems.append(f"[{label} / {scheme}] {v['id']} ({v['impact']}): {v['help']} -> {nodes}")
    page.emulate_media(color_scheme="light")
    assert not problems, "\n".join(problems)


@pytest.fixture
def laptop(new_context, user):
    """A logged-in facilitator's browser page."""
    return browser_login(new_context())


def test_public_pages(new_context, user):
    page = new_context().new_page()
    for path, label in [
        ("/login", "login"),
        ("/", "landing"),
        ("/j", "enter code"),
        ("/j/ZZZZZZ", "unknown code"),
        ("/no-such-page", "404"),
        ("/accessibility", "accessibility statement"),
    ]:
        page.goto(path)
        assert_accessible(page, label)
    page.goto("/login")
    page.fill("#email", "anna@example.org")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector("#login-error")
    assert_accessible(page, "login error")


def test_dashboard_and_workshop_pages(laptop, user):
    laptop.goto("/workshops")
    assert_accessible(laptop, "dashboard empty")
    w = services.create_workshop(user.id, "Trivsel i hverdagen", prompt="Hvad gør en god dag?", themes=["Ro", "Fællesskab"])
    services.create_workshop(user.id, "Second workshop", language="en")
    services.set_status(w.id, "open")
    laptop.goto("/workshops")
    assert_accessible(laptop, "dashboard with workshops")
    laptop.goto(f"/workshops/{w.id}")
    assert_accessible(laptop, "workshop page")
    laptop.fill("#s-title", " ")
    laptop.fill("#s-max", "0")
    laptop.evaluate("() => document.querySelector('#settings form').noValidate = true")
    laptop.click("#settings button[type=submit]")
    laptop.wait_for_selector("#settings-error")
    assert_accessible(laptop, "workshop settings error")
    laptop.goto(f"/workshops/{w.id}")
    laptop.click("#archive")
    laptop.wait_for_url("**/workshops/*")
    laptop.goto("/workshops?show=archived&done=archived")
    assert_accessible(laptop, "archived workshops")
    laptop.goto(f"/workshops/{w.id}/print")
    assert_accessible(laptop, "print page")
    laptop.goto("/workshops/99999")
    assert_accessible(laptop, "404 logged in")
    for path, label in [("/account", "account"), ("/privacy", "privacy")]:
        response = laptop.goto(path)
        if response.status == 200:
            assert_accessible(laptop, label)


@pytest.mark.parametrize("status", ["draft", "open", "paused", "closed"])
def test_participant_page_in_each_state(new_context, user, status):
    w = services.create_workshop(user.id, "Borgermøde", prompt="Hvad skal vi huske?")
    if status != "draft":
        services.set_status(w.id, status)
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{w.join_code}")
    phone.wait_for_selector(f"#status-banner.status-{status}")
    assert_accessible(phone, f"phone {status}")


def test_participant_page_after_a_send_and_with_an_error(new_context, user):
    w = services.create_workshop(user.id, "Borgermøde", prompt="Hvad skal vi huske?", settings={"max_input_length": 20})
    services.set_status(w.id, "open")
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{w.join_code}")
    phone.fill("#text", "Flere bænke i parken")
    phone.click("#send")
    phone.wait_for_selector(".receipt[data-state=received]")
    assert_accessible(phone, "phone after send")
    phone.fill("#text", "Denne tekst er alt for lang til grænsen")
    phone.click("#send")
    phone.wait_for_selector("#live-error:not([hidden])")
    phone.wait_for_selector(".receipt[data-state=refused]")
    assert_accessible(phone, "phone with refusal")
    # When the script does not load, the plain form posts and the server shows the error.
    nojs = new_context(**PHONE).new_page()
    nojs.route("**/static/js/participant.js", lambda route: route.abort())
    nojs.goto(f"/j/{w.join_code}")
    nojs.fill("#text", "Denne tekst er alt for lang til grænsen")
    nojs.click("#send")
    nojs.wait_for_selector("#form-error")
    assert_accessible(nojs, "phone form error (no JS)")


@pytest.fixture
def demo(user):
    """The reference workshop (117 inputs in four themes) plus two unsorted inputs just in."""
    w = load_demo(user.id)
    for text in ("Mere tid til samtaler", "Kortere ventetid"):
        services.submit_input(w.join_code, text, str(uuid.uuid4()))
    return w


def test_wall_projector_and_export_with_the_demo_workshop(laptop, new_context, demo):
    laptop.goto(f"/workshops/{demo.id}/wall")
    laptop.wait_for_selector("#connection[data-state=up]")
    laptop.wait_for_function("() => document.querySelectorAll('#columns .card').length === 119")
    assert_accessible(laptop, "wall")

    projector = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(f"/p/{demo.projector_secret}")
    projector.wait_for_function("() => document.querySelectorAll('.column-unsorted .card').length === 2")
    assert_accessible(projector, "projector collecting")
    services.set_projector_view(demo.id, "themes")
    projector.wait_for_selector("#projector[data-view=themes]")
    projector.wait_for_function("() => document.querySelectorAll('.card').length === 119")
    assert_accessible(projector, "projector themes")

    laptop.goto(f"/api/v1/workshops/{demo.id}/export.html")
    assert_accessible(laptop, "HTML export")
    laptop.goto(f"/api/v1/workshops/{demo.id}/export.html?variant=report")
    assert_accessible(laptop, "HTML export report")


def test_the_axe_check_catches_real_violations(new_context):
    """The harness is not vacuous: a page with known faults fails it, in both schemes."""
    page = new_context().new_page()
    page.goto("/j")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const input = document.createElement('input');      // no label
            const pale = document.createElement('p');            // 1.3:1 contrast
            pale.textContent = 'Pale text';
            pale.style.color = '#dddddd';
            pale.style.background = '#ffffff';
            main.append(input, pale);
        }"""
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= ids
    with pytest.raises(AssertionError, match="color-contrast"):
        assert_accessible(page, "faulty page")
