"""The phone page in headless Chromium without a network: the outbox keeps every input,
survives closing the tab, and sends each exactly once when the network is back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conftest import PHONE, screenshot, sqlite_only
from facilitator import extensions, services
from facilitator.db import database
from facilitator.models import Input

pytestmark = [pytest.mark.browser, sqlite_only]

TEXTS = ["Først offline", "Så offline igen ✓", "Tredje: <b>ikke fed</b>"]


@pytest.fixture
def open_workshop(user):
    w = services.create_workshop(user.id, "Offline", language="en", settings={"max_input_length": 40})
    services.set_status(w.id, "open")
    return w


def stored(workshop) -> list[tuple[str, str]]:
    """(text, client key) of every input of the workshop, in the order received."""
    with database().reader() as s:
        rows = s.execute(select(Input.text, Input.client_key).where(Input.workshop_id == workshop.id).order_by(Input.id))
        return [tuple(r) for r in rows]


def phone_page(context, workshop):
    page = context.new_page()
    page.goto(f"/j/{workshop.join_code}")
    page.wait_for_function("() => document.getElementById('status-banner').classList.contains('status-open')")
    return page


def go_offline(context, page) -> None:
    """Cut the phone's network, and wait until its page knows (the emulation reaches it a moment later)."""
    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")


def send(page, text: str) -> None:
    page.fill("#text", text)
    page.click("#send")


def states(page) -> dict[str, str]:
    """Each receipt's text and state as the page shows them."""
    return {
        r["text"]: r["state"]
        for r in page.evaluate(
            "() => [...document.querySelectorAll('.receipt')].map(li => ({text: li.querySelector('.receipt-text').textContent, state: li.dataset.state}))"
        )
    }


def wait_all_received(page, n: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('.receipt[data-state=received]').length === {n}"
        " && !document.querySelector('.receipt:not([data-state=received])')"
    )


def test_three_inputs_sent_offline_arrive_once_when_the_network_is_back(new_context, open_workshop):
    context = new_context(**PHONE)
    page = phone_page(context, open_workshop)
    go_offline(context, page)
    for text in TEXTS:
        send(page, text)
    page.wait_for_function("() => document.querySelectorAll('.receipt[data-state=waiting]').length === 3")
    assert states(page) == {t: "waiting" for t in TEXTS}
    assert page.input_value("#text") == ""
    for detail in page.locator(".receipt[data-state=waiting] .receipt-detail").all_inner_texts():
        assert detail  # says why, and when it tries again
    assert page.locator(".receipt-edit").count() == 0  # only refused inputs can be edited
    screenshot(page, "phone-offline-waiting")
    assert stored(open_workshop) == []

    context.set_offline(False)
    wait_all_received(page, 3)
    assert states(page) == {t: "received" for t in TEXTS}
    rows = stored(open_workshop)
    assert sorted(text for text, _ in rows) == sorted(TEXTS)
    assert len({key for _, key in rows}) == 3
    screenshot(page, "phone-back-online")


def test_the_outbox_and_the_draft_survive_closing_the_tab(new_context, open_workshop):
    context = new_context(**PHONE)
    page = phone_page(context, open_workshop)
    go_offline(context, page)
    for text in TEXTS:
        send(page, text)
    page.wait_for_function("() => document.querySelectorAll('.receipt[data-state=waiting]').length === 3")
    page.fill("#text", "Et udkast, ikke sendt")
    page.close()  # the tab is gone while nothing has reached the server
    assert stored(open_workshop) == []

    context.set_offline(False)
    page = context.new_page()
    page.goto(f"/j/{open_workshop.join_code}")
    wait_all_received(page, 3)
    assert states(page) == {t: "received" for t in TEXTS}
    assert page.input_value("#text") == "Et udkast, ikke sendt"
    assert sorted(text for text, _ in stored(open_workshop)) == sorted(TEXTS)

    # A reload (the receipts come from the phone's storage) changes nothing on the server.
    page.reload()
    wait_all_received(page, 3)
    assert len(stored(open_workshop)) == 3


def message_in(app, language: str, code: str) -> str:
    """A refusal's message as the server words it in a language."""
    from flask_babel import force_locale

    from facilitator.errors import ServiceError

    with app.test_request_context(), force_locale(language):
        return ServiceError(code).message()


def test_a_paused_workshop_holds_the_input_and_reopening_sends_it(app, new_context, open_workshop):
    services.update_workshop(open_workshop.id, {"language": "da"})
    services.set_status(open_workshop.id, "paused")
    context = new_context(**PHONE)
    page = context.new_page()
    page.goto(f"/j/{open_workshop.join_code}")
    page.wait_for_function("() => document.getElementById('status-banner').classList.contains('status-paused')")
    send(page, "Venter på at det åbner")
    page.wait_for_selector(".receipt[data-state=held]")
    # The server's reason, in the workshop's language.
    assert page.locator(".receipt[data-state=held] .receipt-detail").inner_text() == message_in(app, "da", "not_open")
    assert message_in(app, "da", "not_open") != message_in(app, "en", "not_open")
    assert stored(open_workshop) == []
    screenshot(page, "phone-held-while-paused")

    services.set_status(open_workshop.id, "open")
    wait_all_received(page, 1)
    assert [text for text, _ in stored(open_workshop)] == ["Venter på at det åbner"]


def test_too_long_is_refused_with_the_limit_and_stays_editable(new_context, open_workshop):
    context = new_context(**PHONE)
    page = phone_page(context, open_workshop)
    long_text = "Dette input er alt for langt til grænsen på fyrre tegn"
    send(page, long_text)
    error = page.locator("#live-error")
    error.wait_for()
    assert "40" in error.inner_text() and str(len(long_text)) in error.inner_text()
    assert page.input_value("#text") == long_text  # still in the box
    assert page.get_attribute("#text", "aria-invalid") == "true"
    assert page.locator(".receipt").count() == 0

    page.fill("#text", long_text[:40])
    page.click("#send")
    wait_all_received(page, 1)
    assert page.locator("#live-error").is_hidden()
    assert [text for text, _ in stored(open_workshop)] == [long_text[:40]]


def test_a_server_refusal_keeps_the_text_to_edit_and_send_again(new_context, open_workshop):
    context = new_context(**PHONE)
    page = phone_page(context, open_workshop)
    # The page still believes the limit is 40; the facilitator lowers it while the phone is offline.
    context.set_offline(True)
    services.update_workshop(open_workshop.id, {"settings": {"max_input_length": 20}})
    text = "Femogtyve tegn i alt her"  # 24 characters
    send(page, text)
    page.wait_for_selector(".receipt[data-state=waiting]")
    context.set_offline(False)
    page.wait_for_selector(".receipt[data-state=refused]")
    detail = page.locator(".receipt[data-state=refused] .receipt-detail").inner_text()
    assert "20" in detail and "24" in detail
    assert "20" in page.locator("#live-error").inner_text()
    assert "20" in page.locator("#counter").inner_text()  # the page now counts against the new limit
    assert stored(open_workshop) == []
    screenshot(page, "phone-refused-too-long")

    page.click(".receipt[data-state=refused] .receipt-edit")
    assert page.input_value("#text") == text
    assert page.locator(".receipt").count() == 0
    page.fill("#text", text[:20])
    page.click("#send")
    wait_all_received(page, 1)
    assert [t for t, _ in stored(open_workshop)] == [text[:20]]


def test_rate_limited_says_when_it_tries_again(browser, app, tmp_path, open_workshop, database_url):
    from conftest import LiveServer, make_app

    limited = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True, RATELIMIT_PHONE="2/minute")
    server = LiveServer(limited).start()
    context = browser.new_context(base_url=server.url, **PHONE)
    try:
        page = phone_page(context, open_workshop)
        for text in TEXTS:
            send(page, text)
        page.wait_for_selector(".receipt[data-state=waiting]")
        wait = page.locator(".receipt[data-state=waiting] .receipt-detail").inner_text()
        assert "seconds" in wait and any(ch.isdigit() for ch in wait)  # the server's "wait N seconds"
        assert "Trying again in" in wait
        assert page.locator(".receipt[data-state=received]").count() == 2
        assert sorted(t for t, _ in stored(open_workshop)) == sorted(TEXTS[:2])
    finally:
        context.close()
        server.stop()
        extensions.database(limited).dispose()


def test_an_unreachable_server_and_answers_that_are_not_receipts_are_retried(new_context, open_workshop):
    context = new_context(**PHONE)
    page = phone_page(context, open_workshop)
    # What a bad venue network does: no answer, a proxy's error page, a captive portal's 200 page.
    faults = ["abort", "bad gateway", "captive portal"]
    seen = []

    def network(route):
        fault = faults[len(seen)] if len(seen) < len(faults) else None
        seen.append(fault)
        if fault == "abort":
            route.abort("connectionrefused")
        elif fault == "bad gateway":
            route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")
        elif fault == "captive portal":
            route.fulfill(status=200, content_type="text/html", body="<h1>Log in to the venue wifi</h1>")
        else:
            route.continue_()

    page.route("**/api/v1/join/*/inputs", network)
    send(page, "Kommer igennem til sidst")
    for n in range(1, len(faults) + 1):
        wait_for(page, lambda: len(seen) >= n)
        page.wait_for_selector(".receipt[data-state=waiting]")  # not taken for a receipt
        assert page.locator(".receipt[data-state=received]").count() == 0
    # No "online" event, no reload: the backoff timer alone brings it through.
    wait_all_received(page, 1)
    assert seen == [*faults, None]
    assert [text for text, _ in stored(open_workshop)] == ["Kommer igennem til sidst"]


def wait_for(page, predicate, timeout: float = 30) -> None:
    """Wait on a Python-side condition while Playwright keeps dispatching (route handlers run then)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)
