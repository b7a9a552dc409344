"""Questions as rounds and the phone's theme choice, in real headless Chromium: a question switch reaches
phone, wall and projector live; a participant chooses a theme with keyboard or touch, online and offline."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conftest import PHONE, browser_login, screenshot, sqlite_only
from facilitator import services
from facilitator.db import database
from facilitator.models import Input, Theme

pytestmark = [pytest.mark.browser, sqlite_only]

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


def stored(workshop_id):
    """(text, theme title or None, prompt id) of every input, in the order received."""
    with database().reader() as s:
        titles = {t.id: t.title for t in s.execute(select(Theme).where(Theme.workshop_id == workshop_id)).scalars()}
        rows = s.execute(select(Input).where(Input.workshop_id == workshop_id).order_by(Input.id)).scalars()
        return [(i.text, titles.get(i.theme_id), i.prompt_id) for i in rows]


def open_phone(context, code):
    page = context.new_page()
    page.goto(f"/j/{code}")
    page.wait_for_function("() => document.getElementById('status-banner').classList.contains('status-open')")
    return page


@pytest.fixture
def rounds(user):
    w = services.create_workshop(user.id, "Runder", language="da", themes=["Trafik", "Skole"], prompt="Hvad virker i dag?")
    services.set_status(w.id, "open")
    return w


def test_a_question_switch_reaches_phone_wall_and_projector_live(new_context, rounds, user):
    first = services.add_prompt(rounds.id, "Hvad mangler?")  # kept for later
    phone = open_phone(new_context(**PHONE), rounds.join_code)
    assert phone.inner_text("#prompt") == "Hvad virker i dag?"
    projector = new_context(**PROJECTOR).new_page()
    projector.goto(f"/p/{rounds.projector_secret}")
    projector.wait_for_function("() => document.getElementById('projector-prompt').textContent === 'Hvad virker i dag?'")
    laptop = browser_login(new_context(**LAPTOP, locale="da-DK"))
    laptop.goto(f"/workshops/{rounds.id}/wall")
    laptop.wait_for_selector("#question-list .question-item", state="attached")

    phone.fill("#text", "Cykelstier")
    phone.click("#send")
    laptop.wait_for_selector(".card .card-text:text('Cykelstier')")

    # Ask the second question from the wall, with the keyboard.
    laptop.click("#wall-questions-summary")
    laptop.focus(f"#question-list [data-prompt-id='{first.id}'] .question-ask")
    laptop.keyboard.press("Enter")
    phone.wait_for_function("() => document.getElementById('prompt').textContent === 'Hvad mangler?'")
    projector.wait_for_function("() => document.getElementById('projector-prompt').textContent === 'Hvad mangler?'")
    laptop.wait_for_selector(f"#question-list [data-prompt-id='{first.id}'].is-active")
    phone.fill("#text", "Flere busser")
    phone.click("#send")
    laptop.wait_for_selector(".card .card-text:text('Flere busser')")

    # Every card says which question it answered, compactly.
    marks = laptop.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#columns .card')].map(c => [c.querySelector('.card-text').textContent, c.querySelector('.card-question').textContent]))"
    )
    assert marks == {"Cykelstier": "S1", "Flere busser": "S2"}

    # Add a third question and ask it from the wall's form; then ask the first one again.
    laptop.fill("#add-question-text", "Hvad gør vi først?")
    laptop.click("#add-question button[value=ask]")
    phone.wait_for_function("() => document.getElementById('prompt').textContent === 'Hvad gør vi først?'")
    projector.wait_for_function("() => document.getElementById('projector-prompt').textContent === 'Hvad gør vi først?'")
    original = [p for p in services_prompts(rounds.id) if p[1] == "Hvad virker i dag?"][0][0]
    laptop.click(f"#question-list [data-prompt-id='{original}'] .question-ask")
    phone.wait_for_function("() => document.getElementById('prompt').textContent === 'Hvad virker i dag?'")
    projector.wait_for_function("() => document.getElementById('projector-prompt').textContent === 'Hvad virker i dag?'")
    phone.fill("#text", "Gode lærere")
    phone.click("#send")
    laptop.wait_for_selector(".card .card-text:text('Gode lærere')")
    assert [(t, p) for t, _theme, p in stored(rounds.id)] == [("Cykelstier", original), ("Flere busser", first.id), ("Gode lærere", original)]

    # The filter shows one question's cards only.
    laptop.select_option("#wall-question", str(first.id))
    laptop.wait_for_function("() => [...document.querySelectorAll('#columns .card')].filter(c => c.offsetParent !== null).length === 1")
    visible = laptop.evaluate("() => [...document.querySelectorAll('#columns .card')].filter(c => c.offsetParent !== null).map(c => c.querySelector('.card-text').textContent)")
    assert visible == ["Flere busser"]
    screenshot(laptop, "wall-questions-filtered")
    laptop.select_option("#wall-question", "")
    laptop.wait_for_function("() => [...document.querySelectorAll('#columns .card')].filter(c => c.offsetParent !== null).length === 3")
    screenshot(phone, "phone-question-switched")
    screenshot(projector, "projector-question-switched")


def services_prompts(workshop_id):
    from facilitator.models import Prompt

    with database().reader() as s:
        return [(p.id, p.text) for p in s.execute(select(Prompt).where(Prompt.workshop_id == workshop_id)).scalars()]


@pytest.fixture
def choosing(user):
    w = services.create_workshop(
        user.id, "Vælg tema", language="da", themes=["Trafik", "Skole", "Kultur"], prompt="Hvad fylder?",
        settings={"participants_choose_theme": True},
    )
    services.set_status(w.id, "open")
    with database().reader() as s:
        ids = {t.title: t.id for t in s.execute(select(Theme).where(Theme.workshop_id == w.id)).scalars()}
    services.update_theme(w.id, ids["Kultur"], {"offered": False})
    return w, ids


def test_a_participant_chooses_a_theme_with_the_keyboard(new_context, choosing):
    w, ids = choosing
    laptop = browser_login(new_context(**LAPTOP))
    laptop.goto(f"/workshops/{w.id}/wall")
    laptop.wait_for_selector(f".column[data-theme-id='{ids['Trafik']}']")
    phone = open_phone(new_context(**PHONE), w.join_code)
    group = phone.get_by_role("group", name="Tema (valgfrit)")
    radios = group.get_by_role("radio")
    # Each radio's accessible name is its label; in order, "No theme" first.
    assert radios.count() == 3
    assert [t.strip() for t in group.locator(".theme-option-title").all_text_contents()] == ["Intet tema", "Trafik", "Skole"]
    for name in ("Intet tema", "Trafik", "Skole"):
        assert group.get_by_role("radio", name=name, exact=True).count() == 1
    assert group.get_by_role("radio", name="Intet tema").is_checked()
    screenshot(phone, "phone-theme-choice")
    # Keyboard: focus the group, arrow down to "Trafik".
    group.get_by_role("radio", name="Intet tema").focus()
    phone.keyboard.press("ArrowDown")
    assert group.get_by_role("radio", name="Trafik").is_checked()
    phone.fill("#text", "Cykelsti til skolen")
    phone.click("#send")
    phone.wait_for_selector(".receipt[data-state=received]")
    assert group.get_by_role("radio", name="Intet tema").is_checked()  # the next input starts without a theme
    phone.fill("#text", "Uden tema")
    phone.click("#send")
    phone.wait_for_function("() => document.querySelectorAll('.receipt[data-state=received]').length === 2")
    assert [(t, theme) for t, theme, _p in stored(w.id)] == [("Cykelsti til skolen", "Trafik"), ("Uden tema", None)]
    # The wall puts the chosen theme's input at the end of that theme, live.
    laptop.wait_for_selector(f".column[data-theme-id='{ids['Trafik']}'] .card-text:text('Cykelsti til skolen')")
    laptop.wait_for_selector(".column-unsorted .card-text:text('Uden tema')")

    # The facilitator offers Kultur and renames Skole: the phone's choice follows live.
    services.update_theme(w.id, ids["Kultur"], {"offered": True})
    services.update_theme(w.id, ids["Skole"], {"title": "Skoler"})
    phone.wait_for_function(
        "() => [...document.querySelectorAll('#theme-options .theme-option-title')].map(e => e.textContent).join('|') === 'Intet tema|Trafik|Skoler|Kultur'"
    )


def test_an_offline_phone_keeps_the_choice_and_a_deleted_theme_sends_to_unsorted(new_context, choosing):
    w, ids = choosing
    context = new_context(**PHONE)
    phone = open_phone(context, w.join_code)
    context.set_offline(True)
    phone.get_by_role("radio", name="Skole").check()
    phone.fill("#text", "Lektiecafé")
    phone.click("#send")
    phone.get_by_role("radio", name="Trafik").check()
    phone.fill("#text", "Busser")
    phone.click("#send")
    phone.wait_for_function("() => document.querySelectorAll('.receipt[data-state=waiting]').length === 2")
    kept = phone.evaluate(f"() => JSON.parse(localStorage.getItem('facilitator:outbox:{w.join_code}')).map(i => [i.text, i.theme_id])")
    assert kept == [["Lektiecafé", ids["Skole"]], ["Busser", ids["Trafik"]]]
    # Closing the tab keeps the choice too.
    phone.close()
    services.delete_theme(w.id, ids["Skole"])  # deleted while the phone was offline
    context.set_offline(False)
    phone = open_phone(context, w.join_code)
    phone.wait_for_function("() => document.querySelectorAll('.receipt[data-state=received]').length === 2")
    assert [(t, theme) for t, theme, _p in stored(w.id)] == [("Lektiecafé", None), ("Busser", "Trafik")]


def test_the_workshop_page_runs_the_questions_without_javascript(new_context, user):
    from facilitator.demo import load_demo

    w = load_demo(user.id)
    laptop = browser_login(new_context(**LAPTOP, locale="da-DK", java_script_enabled=False))
    laptop.goto(f"/workshops/{w.id}")
    for text, button in (("Hvad virker?", "Tilføj og stil nu"), ("Hvad mangler?", "Tilføj til senere"), ("Hvad nu?", "Tilføj til senere")):
        laptop.fill("#prompt-text", text)
        laptop.get_by_role("button", name=button).click()
    items = laptop.locator("#questions > li")
    assert items.count() == 3
    assert "Stilles nu" in items.nth(0).inner_text()
    # Reorder, edit and delete unanswered questions; ask the last one.
    items.nth(2).get_by_role("button", name="Flyt op").click()
    assert [t.split("\n")[0].split(" · ")[0] for t in laptop.locator("#questions > li p").all_inner_texts()] == ["Hvad virker?", "Hvad nu?", "Hvad mangler?"]
    laptop.locator("#questions > li").nth(2).locator("input[name=text]").fill("Hvad savner I?")
    laptop.locator("#questions > li").nth(2).get_by_role("button", name="Gem spørgsmål").click()
    laptop.locator("#questions > li").nth(1).get_by_role("button", name="Slet").click()
    laptop.locator("#questions > li").nth(1).get_by_role("button", name="Stil det nu").click()
    assert [p[1] for p in sorted(services_prompts(w.id))] == ["Hvad virker?", "Hvad savner I?"]
    with database().reader() as s:
        from facilitator.models import Prompt

        assert s.execute(select(Prompt.text).where(Prompt.workshop_id == w.id, Prompt.active.is_(True))).scalar() == "Hvad savner I?"
    # An answered question offers neither edit nor delete.
    services.submit_input(w.join_code, "svar", "no-js-answer-key")
    laptop.reload()
    answered = laptop.locator("#questions > li").nth(1)
    assert "1 input har svaret på det" in answered.inner_text()
    assert answered.get_by_role("button", name="Slet").count() == 0 and answered.locator("input[name=text]").count() == 0
    screenshot(laptop, "workshop-questions")
