"""Grouping on the wall in real headless Chromium: drag, keyboard, themes, summaries, hide, undo, projector."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import requests

from conftest import PASSWORD, PHONE, browser_login, column_ids, drag_card, lands, screenshot, sqlite_only
from facilitator import services
from facilitator.demo import load_demo

pytestmark = [pytest.mark.browser, sqlite_only]

TEXTS = [
    "Synlighed i ledelsen",
    "Mere tid til trivsel",
    "Rollemodeller på arbejdspladsen",
    "Sprog og pronominer",
    "Uddannelse af ledere",
    "Netværk for medarbejdere",
]


@pytest.fixture
def wall_board(user, other_user, token, live_server):
    """An open workshop with themes Alpha and Beta, six Unsorted inputs and a co-facilitator."""
    w = services.create_workshop(user.id, "Gruppering", language="en", prompt="Hvad skal der til?", themes=["Alpha", "Beta"])
    services.set_status(w.id, "open")
    services.add_co_facilitator(w.id, other_user.email)
    ids = [services.submit_input(w.join_code, text, f"wall-key-{n:04d}")[0].id for n, text in enumerate(TEXTS)]
    return SimpleNamespace(workshop=w, id=w.id, ids=ids, url=live_server.url, token=token)


def server_snapshot(board) -> dict:
    """The board as GET /api/v1/workshops/<id> reports it."""
    answer = requests.get(f"{board.url}/api/v1/workshops/{board.id}", headers={"Authorization": f"Bearer {board.token}"}, timeout=10)
    assert answer.status_code == 200
    return answer.json()


def server_columns(board) -> dict:
    """{column title: [input ids]} with "Unsorted" for the inputs in no theme."""
    snap = server_snapshot(board)
    return {"Unsorted": snap["unsorted"], **{t["title"]: t["input_ids"] for t in snap["themes"]}}


def wait_for_server(board, predicate, what=server_columns, timeout=10.0):
    """Poll the API until predicate(state) holds; fail with the last state seen."""
    deadline = time.monotonic() + timeout
    while True:
        state = what(board)
        if predicate(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"server never reached the expected state; last: {state}")
        time.sleep(0.1)


def open_wall(new_context, board, email="anna@example.org", **options):
    options.setdefault("viewport", {"width": 1400, "height": 900})
    page = browser_login(new_context(**options), email=email, password=PASSWORD)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Script errors and CSP refusals; network noise (a socket reconnecting under load) is not a failure.
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.errors = errors
    page.goto(f"/workshops/{board.id}/wall")
    page.wait_for_selector("#connection[data-state=up]")
    page.wait_for_selector(f'.column-unsorted .card[data-id="{board.ids[-1]}"]')
    return page


def theme_id(board, title):
    return next(t["id"] for t in server_snapshot(board)["themes"] if t["title"] == title)


def confirm_hide(page, board, input_id, reason):
    """In the open hide dialog, pick a quick reason and Hide; wait until the server has the input hidden with it."""
    page.click(f"#hide-dialog [data-reason='{reason}']")
    page.click("#hide-confirm")
    wait_for_server(
        board,
        lambda s: [(i["hidden"], i["hidden_reason"]) for i in s["inputs"] if i["id"] == input_id] == [(True, reason)],
        what=server_snapshot,
    )


def card(page, input_id):
    return page.locator(f'.card[data-id="{input_id}"]')


def holder(page, theme):
    key = "" if theme is None else str(theme)
    return page.locator(f'.column[data-theme-id="{key}"] .column-cards')


def centre(locator):
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def top_of(locator):
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + 6


def wall_seq(page) -> int:
    """The seq of the last event the wall has applied (its board element's data-seq)."""
    return int(page.get_attribute("#wall", "data-seq"))


def seen(page, seq):
    """Wait until the page's board has applied the events up to seq."""
    page.wait_for_function("(seq) => Number(document.getElementById('wall').dataset.seq) >= seq", arg=seq)


def focused_id(page):
    return page.evaluate("document.activeElement.classList.contains('card') ? Number(document.activeElement.dataset.id) : null")


def test_drag_cards_with_the_mouse_into_a_theme_and_within_it(new_context, wall_board):
    page = open_wall(new_context, wall_board)
    a, b, c = wall_board.ids[:3]
    alpha = theme_id(wall_board, "Alpha")

    drag_card(page, card(page, a), centre(holder(page, alpha)), lands(str(alpha), f"ids.includes({a})"))
    wait_for_server(wall_board, lambda s: s["Alpha"] == [a])
    assert card(page, a).locator("xpath=ancestor::section").get_attribute("data-theme-id") == str(alpha)

    # Above the card already there: the order in the theme is the order on screen.
    drag_card(page, card(page, b), lambda: top_of(card(page, a)), lands(str(alpha), f"ids[0] === {b}"))
    wait_for_server(wall_board, lambda s: s["Alpha"] == [b, a])

    # Within Unsorted: c goes to the end, below the last card.
    def near_the_bottom_of_the_last():
        box = card(page, wall_board.ids[-1]).bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] - 4

    drag_card(page, card(page, c), near_the_bottom_of_the_last, lands("", f"ids.at(-1) === {c}"))
    state = wait_for_server(wall_board, lambda s: s["Unsorted"][-1] == c)
    assert state["Unsorted"] == wall_board.ids[3:] + [c]
    page.wait_for_function(
        "([id, n]) => document.querySelector(`.column-unsorted .column-cards`).lastElementChild.dataset.id == id", arg=[c, 4]
    )
    assert page.inner_text(f'.column[data-theme-id="{alpha}"] .column-count') == "2 inputs"
    screenshot(page, "wall-drag")
    assert page.errors == []


def test_keyboard_only_moves_with_shortcuts_and_the_move_to_list(new_context, wall_board):
    page = open_wall(new_context, wall_board)
    a, b, c = wall_board.ids[:3]
    alpha, beta = theme_id(wall_board, "Alpha"), theme_id(wall_board, "Beta")

    card(page, a).focus()
    page.keyboard.press("2")  # theme 2
    wait_for_server(wall_board, lambda s: s["Beta"] == [a])
    assert focused_id(page) == a
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"

    page.keyboard.press("Alt+ArrowLeft")  # previous column: Alpha
    wait_for_server(wall_board, lambda s: s["Alpha"] == [a] and s["Beta"] == [])
    assert focused_id(page) == a

    # A second card into Alpha, then reorder with Alt+ArrowUp: focus follows.
    card(page, b).focus()
    page.keyboard.press("1")
    wait_for_server(wall_board, lambda s: s["Alpha"] == [a, b])
    page.keyboard.press("Alt+ArrowUp")
    wait_for_server(wall_board, lambda s: s["Alpha"] == [b, a])
    assert focused_id(page) == b
    page.keyboard.press("Alt+ArrowDown")
    wait_for_server(wall_board, lambda s: s["Alpha"] == [a, b])
    page.keyboard.press("0")  # back to the end of Unsorted
    wait_for_server(wall_board, lambda s: s["Alpha"] == [a] and s["Unsorted"][-1] == b)
    assert focused_id(page) == b

    # Arrow keys walk between cards.
    card(page, c).focus()
    page.keyboard.press("ArrowDown")
    assert focused_id(page) == wall_board.ids[3]

    # The "Move to" list, by keyboard: Tab into it, choose, Enter. The card goes to the end.
    card(page, c).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('card-move')")
    assert page.evaluate("document.activeElement.selectedOptions[0].textContent") == "Unsorted"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # Alpha, then Beta: nothing moves until Enter
    time.sleep(0.3)
    assert c in server_columns(wall_board)["Unsorted"]
    page.keyboard.press("Enter")
    wait_for_server(wall_board, lambda s: s["Beta"] == [c])
    assert page.evaluate("document.activeElement.closest('.card').dataset.id") == str(c)
    page.wait_for_function(f"() => document.querySelector('.card[data-id=\"{c}\"]').closest('.column').dataset.themeId == '{beta}'")
    page.wait_for_function("() => document.querySelector('#announcer').textContent.includes('Beta')")
    screenshot(page, "wall-keyboard")
    assert page.errors == []


def test_a_cards_move_to_list_holds_its_own_column_until_it_is_used(new_context, wall_board):
    """A 2,000-card wall would make 12,000 options at load: each list gets the columns as a pointer or focus reaches it."""
    page = open_wall(new_context, wall_board)
    a, b = wall_board.ids[:2]

    def listed(input_id):
        return card(page, input_id).locator(".card-move").evaluate(
            "s => [[...s.options].map((o) => o.textContent), s.selectedOptions[0].textContent]"
        )

    assert listed(a) == listed(b) == [["Unsorted"], "Unsorted"]
    move_list = card(page, a).locator(".card-move")
    move_list.hover()
    page.mouse.down()
    page.mouse.up()
    page.keyboard.press("Escape")  # the list's own popup
    assert listed(a) == [["Unsorted", "Alpha", "Beta"], "Unsorted"]
    move_list.select_option(label="Beta")
    wait_for_server(wall_board, lambda s: s["Beta"] == [a])
    page.wait_for_function(f"() => document.querySelector('.card[data-id=\"{a}\"]').closest('.column').dataset.themeId == '{theme_id(wall_board, 'Beta')}'")
    assert listed(a) == [["Unsorted", "Alpha", "Beta"], "Beta"]
    # A list untouched stays one option, and follows its card to another column.
    card(page, b).focus()
    page.keyboard.press("1")
    wait_for_server(wall_board, lambda s: s["Alpha"] == [b])
    page.wait_for_function(f"() => document.querySelector('.card[data-id=\"{b}\"] .card-move').value == '{theme_id(wall_board, 'Alpha')}'")
    assert listed(b) == [["Alpha"], "Alpha"]
    assert page.errors == []


def test_themes_are_created_renamed_reordered_merged_and_deleted_on_the_wall(new_context, wall_board):
    page = open_wall(new_context, wall_board)
    a, b = wall_board.ids[:2]

    page.fill("#add-theme-title", "Gamma")
    page.keyboard.press("Enter")
    wait_for_server(wall_board, lambda s: list(s) == ["Unsorted", "Alpha", "Beta", "Gamma"])
    gamma = theme_id(wall_board, "Gamma")
    column = page.locator(f'.column[data-theme-id="{gamma}"]')
    column.wait_for()
    assert page.input_value("#add-theme-title") == ""

    # Rename in place: Escape cancels, Enter saves.
    column.locator(".column-rename-start").click()
    page.keyboard.type("Forkastet")
    page.keyboard.press("Escape")
    assert column.locator(".column-title").inner_text() == "Gamma"
    column.locator(".column-rename-start").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Ledelse og ansvar")
    page.keyboard.press("Enter")
    wait_for_server(wall_board, lambda s: "Ledelse og ansvar" in s)
    page.wait_for_function(f"() => document.querySelector('#column-title-{gamma}').textContent == 'Ledelse og ansvar'")

    # Reorder with the header buttons; the focus stays on the button.
    column.locator(".column-left").click()
    wait_for_server(wall_board, lambda s: list(s) == ["Unsorted", "Alpha", "Ledelse og ansvar", "Beta"])
    page.wait_for_function(f"() => document.querySelector('#columns').children[2].dataset.themeId == '{gamma}'")

    # Merge Beta into Alpha, after confirming.
    beta, alpha = theme_id(wall_board, "Beta"), theme_id(wall_board, "Alpha")
    services.move_input(wall_board.id, a, beta, 0)
    beta_column = page.locator(f'.column[data-theme-id="{beta}"]')
    beta_column.locator(".column-more summary").click()
    beta_column.locator(".column-merge-target").select_option(str(alpha))
    beta_column.locator(".column-merge").click()
    assert page.locator("#confirm-dialog").is_visible()
    assert "Beta" in page.inner_text("#confirm-title") and "Alpha" in page.inner_text("#confirm-title")
    page.click("#confirm-ok")
    wait_for_server(wall_board, lambda s: list(s) == ["Unsorted", "Alpha", "Ledelse og ansvar"] and s["Alpha"] == [a])

    # Delete: Cancel keeps the theme, OK sends its inputs back to Unsorted.
    services.move_input(wall_board.id, b, gamma, 0)
    column.locator(".column-more summary").click()
    column.locator(".column-delete").click()
    page.keyboard.press("Escape")
    assert not page.locator("#confirm-dialog").is_visible()
    assert "Ledelse og ansvar" in server_columns(wall_board)
    screenshot(page, "wall-themes")
    column.locator(".column-delete").click()
    assert page.inner_text("#confirm-text").startswith("Its inputs (1) go back to the end of Unsorted")
    page.click("#confirm-ok")
    state = wait_for_server(wall_board, lambda s: "Ledelse og ansvar" not in s)
    assert state["Unsorted"][-1] == b
    page.wait_for_selector(f'.column[data-theme-id="{gamma}"]', state="detached")
    page.wait_for_selector(f'.column-unsorted .card[data-id="{b}"]')
    assert page.errors == []


def test_summaries_save_as_you_type_and_reach_a_second_facilitator_without_losing_keystrokes(new_context, wall_board):
    anna = open_wall(new_context, wall_board)
    bo = open_wall(new_context, wall_board, email="bo@example.org")
    alpha, beta = theme_id(wall_board, "Alpha"), theme_id(wall_board, "Beta")

    def summary(page, theme):
        column = page.locator(f'.column[data-theme-id="{theme}"]')
        if not column.locator(".column-summary").evaluate("d => d.open"):
            column.locator(".column-summary summary").click()
        return column.locator(".summary-text")

    def summaries():
        return {t["title"]: t["summary"] for t in server_snapshot(wall_board)["themes"]}

    # Anna writes two paragraphs; it is saved without leaving the field, and Bo sees it live.
    field = summary(anna, alpha)
    field.click()
    anna.keyboard.type("Ledelsen skal gå forrest.")
    anna.keyboard.press("Enter")
    anna.keyboard.press("Enter")
    anna.keyboard.type("Synlighed betyder noget.")
    first = "Ledelsen skal gå forrest.\n\nSynlighed betyder noget."
    wait_for_server(wall_board, lambda s: s["Alpha"] == first, what=lambda _: summaries())
    anna.wait_for_selector(f'.column[data-theme-id="{alpha}"] .summary-state[data-state=saved]')
    bo_alpha = summary(bo, alpha)
    bo.wait_for_function(f"() => document.querySelector('.column[data-theme-id=\"{alpha}\"] .summary-text').value == {first!r}")

    # Bo writes in Alpha while Alpha's summary changes elsewhere: his field keeps every keystroke.
    bo_alpha.click()
    bo.keyboard.press("Control+End")
    bo.keyboard.type(" Bo")
    services.update_theme(wall_board.id, alpha, {"summary": "Skrevet et andet sted"})
    seen(bo, server_snapshot(wall_board)["seq"])
    bo.keyboard.type(" skriver videre")
    mine = first + " Bo skriver videre"
    assert bo_alpha.input_value() == mine
    # Meanwhile Anna writes Beta's summary; Bo sees it while he is typing in Alpha.
    beta_field = summary(anna, beta)
    beta_field.click()
    anna.keyboard.type("Netværk og fællesskab.")
    bo.wait_for_function(f"() => document.querySelector('.column[data-theme-id=\"{beta}\"] .summary-text').value == 'Netværk og fællesskab.'")
    assert bo_alpha.input_value() == mine
    assert bo.evaluate("document.activeElement.classList.contains('summary-text')")
    state = wait_for_server(wall_board, lambda s: s["Alpha"] == mine and s["Beta"] == "Netværk og fællesskab.", what=lambda _: summaries())
    assert state["Alpha"] == mine
    anna.keyboard.press("Tab")
    anna.wait_for_function(f"() => document.querySelector('.column[data-theme-id=\"{alpha}\"] .summary-text').value == {mine!r}")

    # News for the field Bo is in waits until he leaves it, then shows.
    services.update_theme(wall_board.id, alpha, {"summary": "Den endelige tekst"})
    seen(bo, server_snapshot(wall_board)["seq"])
    assert bo_alpha.input_value() == mine
    bo.keyboard.press("Tab")
    bo.wait_for_function(f"() => document.querySelector('.column[data-theme-id=\"{alpha}\"] .summary-text').value == 'Den endelige tekst'")
    screenshot(anna, "wall-summaries")
    assert anna.errors == [] and bo.errors == []


def test_a_hide_asked_for_just_after_a_cancel_still_hides(new_context, wall_board):
    """Esc then H at once: the cancelled dialog's close event comes after the new question and must not end it."""
    page = open_wall(new_context, wall_board)
    a = wall_board.ids[0]
    card(page, a).locator(".card-hide").click()
    # In one task, as a fast keyboard does it: close the first dialog, press H on the card.
    page.evaluate(
        """(id) => {
            document.getElementById("hide-dialog").close();
            const card = document.querySelector(`#columns .card[data-id="${id}"]`);
            card.focus();
            card.dispatchEvent(new KeyboardEvent("keydown", { key: "h", bubbles: true }));
        }""",
        a,
    )
    confirm_hide(page, wall_board, a, "Personal data")
    assert page.errors == []


def test_hide_with_a_reason_then_show_again_and_the_projector_never_shows_it(new_context, wall_board):
    page = open_wall(new_context, wall_board)
    projector = new_context().new_page()
    projector.goto(f"/p/{wall_board.workshop.projector_secret}")
    a, b = wall_board.ids[:2]
    projector.wait_for_selector(f'.card[data-id="{a}"]')

    # Cancel keeps it.
    card(page, a).locator(".card-hide").click()
    assert page.locator("#hide-dialog").is_visible()
    page.keyboard.press("Escape")
    assert card(page, a).is_visible()

    # H on the focused card, a quick reason, Hide.
    card(page, a).focus()
    page.keyboard.press("h")
    assert page.inner_text("#hide-dialog-text") == TEXTS[0]
    confirm_hide(page, wall_board, a, "Personal data")
    page.wait_for_selector(f'.column-unsorted .card[data-id="{a}"]', state="detached")
    assert focused_id(page) == b  # the focus moved on to the next card
    assert page.inner_text("#hidden-summary") == "Hidden (1)"
    projector.wait_for_selector(f'.card[data-id="{a}"]', state="detached")
    assert TEXTS[0] not in projector.inner_text("body")
    assert "Personal data" not in projector.content()

    page.click("#hidden-summary")
    hidden = page.locator(f'#hidden-list .card[data-id="{a}"]')
    assert hidden.locator(".card-reason").inner_text() == "Reason: Personal data"
    screenshot(page, "wall-hidden")
    hidden.locator(".card-unhide").click()
    wait_for_server(wall_board, lambda s: not next(i for i in s["inputs"] if i["id"] == a)["hidden"], what=server_snapshot)
    page.wait_for_selector(f'.column-unsorted .card[data-id="{a}"]')
    assert page.inner_text("#hidden-summary") == "Hidden (0)"
    # Back in its place, first in Unsorted, on the wall and on the projector.
    assert page.evaluate("document.querySelector('.column-unsorted .card').dataset.id") == str(a)
    projector.wait_for_selector(f'.card[data-id="{a}"]')
    assert page.errors == []


def test_undo_takes_back_this_facilitators_last_moves(new_context, wall_board):
    page = open_wall(new_context, wall_board)
    ids = wall_board.ids
    c = ids[2]
    card(page, c).focus()
    page.keyboard.press("1")
    wait_for_server(wall_board, lambda s: s["Alpha"] == [c])
    page.keyboard.press("2")
    wait_for_server(wall_board, lambda s: s["Beta"] == [c])
    assert not page.locator("#undo").is_disabled()

    page.keyboard.press("Control+z")
    wait_for_server(wall_board, lambda s: s["Alpha"] == [c] and s["Beta"] == [])
    assert focused_id(page) == c
    page.click("#undo")
    # Back in Unsorted, at the place it had (third), not at the end.
    wait_for_server(wall_board, lambda s: s["Unsorted"] == ids)
    page.wait_for_function("() => document.querySelector('#undo').disabled")
    page.keyboard.press("Control+z")
    page.wait_for_function("() => document.querySelector('#announcer').textContent.includes('Nothing to undo')")
    assert server_columns(wall_board)["Unsorted"] == ids
    assert page.errors == []


def test_the_projector_follows_the_switch_on_the_wall(new_context, wall_board):
    page = open_wall(new_context, wall_board)
    projector = new_context(viewport={"width": 1600, "height": 900}).new_page()
    projector.goto(f"/p/{wall_board.workshop.projector_secret}")
    projector.wait_for_selector("#projector[data-view=collect] #projector-page .card")
    assert projector.locator("#projector-join").is_visible()
    assert projector.locator("#projector-page .column-header").count() == 0
    # Newest first while collecting.
    assert projector.evaluate("document.querySelector('#projector-page .card').dataset.id") == str(wall_board.ids[-1])
    screenshot(projector, "projector-collect")

    alpha = theme_id(wall_board, "Alpha")
    for input_id in wall_board.ids[:3]:
        services.move_input(wall_board.id, input_id, alpha, 99)
    page.click("[data-projector-view=themes]")
    projector.wait_for_selector("#projector[data-view=themes]")
    page.wait_for_selector("[data-projector-view=themes][aria-pressed=true]")
    assert not projector.locator("#projector-join").is_visible()
    titles = projector.locator("#projector-page .column:not(.is-continued) .column-title").all_inner_texts()
    assert titles == ["Unsorted", "Alpha", "Beta"]
    assert projector.inner_text(f'.column[data-theme-id="{alpha}"] .column-count') == "3 inputs"
    screenshot(projector, "projector-themes")

    page.click("[data-projector-view=collect]")
    projector.wait_for_selector("#projector[data-view=collect]")
    assert projector.locator("#projector-join").is_visible()
    assert page.errors == []


@pytest.mark.parametrize("when", ["dragging", "pressed"])
def test_a_live_event_during_a_drag_waits_for_the_drop(new_context, wall_board, when):
    page = open_wall(new_context, wall_board)
    a, b = wall_board.ids[:2]
    alpha, beta = theme_id(wall_board, "Alpha"), theme_id(wall_board, "Beta")
    box = card(page, a).bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 12)
    page.mouse.down()
    if when == "dragging":
        page.mouse.move(box["x"] + 40, box["y"] + 30, steps=5)
        page.wait_for_selector("body.is-dragging")
    seq = wall_seq(page)
    # Another facilitator moves b, from the same column: pressed or dragged, a stays in hand.
    services.move_input(wall_board.id, b, alpha, 0)
    seen(page, seq + 1)
    if when == "pressed":
        page.mouse.move(box["x"] + 40, box["y"] + 30, steps=5)
        page.wait_for_selector("body.is-dragging")
    assert card(page, b).locator("xpath=ancestor::section").get_attribute("data-theme-id") == ""
    x, y = centre(holder(page, beta))
    page.mouse.move(x, y, steps=15)
    page.wait_for_function(lands(str(beta), f"ids.includes({a})"))
    page.mouse.up()
    wait_for_server(wall_board, lambda s: s["Beta"] == [a] and s["Alpha"] == [b])
    page.wait_for_selector(f'.column[data-theme-id="{alpha}"] .card[data-id="{b}"]')
    page.wait_for_selector(f'.column[data-theme-id="{beta}"] .card[data-id="{a}"]')
    assert page.errors == []


def test_a_card_can_be_dragged_by_touch_on_a_tablet(new_context, wall_board):
    page = open_wall(new_context, wall_board, viewport={"width": 1180, "height": 820}, has_touch=True)
    a = wall_board.ids[0]
    alpha = theme_id(wall_board, "Alpha")
    cdp = page.context.new_cdp_session(page)
    x, y = centre(card(page, a).locator(".card-text"))
    tx, ty = centre(holder(page, alpha))

    def touch(kind, px, py):
        points = [] if kind == "touchEnd" else [{"x": px, "y": py}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x, y)
    # A finger rests on the card before it lifts (a quick swipe scrolls instead).
    page.wait_for_timeout(400)
    steps = 20
    for n in range(1, steps + 1):
        touch("touchMove", x + (tx - x) * n / steps, y + (ty - y) * n / steps)
    page.wait_for_function(lands(str(alpha), f"ids.includes({a})"))  # the finger lifts once the card shows where it lands
    touch("touchEnd", tx, ty)
    wait_for_server(wall_board, lambda s: s["Alpha"] == [a])
    page.wait_for_selector(f'.column[data-theme-id="{alpha}"] .card[data-id="{a}"]')
    assert page.errors == []


def big_board(user, token, live_server, per_column: int):
    """An open workshop of four themes and Unsorted, `per_column` inputs each (via the JSON importer): (board, its snapshot)."""
    data = {
        "format": "facilitator-export",
        "version": 1,
        "workshop": {"title": "Stor væg", "language": "en"},
        "themes": [{"title": f"Tema {n}", "inputs": [{"text": f"Tema {n}, kort {k}"} for k in range(per_column)]} for n in range(4)],
        "unsorted": [{"text": f"Usorteret kort {k}"} for k in range(per_column)],
    }
    w = services.import_workshop(user.id, data)
    services.set_status(w.id, "open")
    board = SimpleNamespace(id=w.id, join_code=w.join_code, url=live_server.url, token=token)
    return board, server_snapshot(board)


def test_an_event_on_a_500_card_wall_redraws_only_the_columns_it_touched(new_context, user, token, live_server):
    board, snap = big_board(user, token, live_server, 100)
    themes = [t["id"] for t in snap["themes"]]
    page = browser_login(new_context(viewport={"width": 1600, "height": 1000}))
    page.goto(f"/workshops/{board.id}/wall")
    page.wait_for_function("() => document.querySelectorAll('#columns .card').length === 500")
    # A wall this large draws only the cards near the screen; one far down a column holds a
    # card's height meanwhile (not squeezed to its padding), and is drawn whole once scrolled to.
    assert page.get_attribute("#wall", "class").split().count("is-large") == 1
    last = f'.column[data-theme-id="{themes[3]}"] .card:last-child'
    height = lambda: page.eval_on_selector(last, "e => e.getBoundingClientRect().height")  # noqa: E731
    assert page.eval_on_selector(last, "e => e.querySelector('.card-text').checkVisibility({contentVisibilityAuto: true})") is False
    assert height() >= 100
    page.eval_on_selector(last, "e => e.scrollIntoView()")
    page.wait_for_function(f"() => document.querySelector('{last} .card-text').checkVisibility({{contentVisibilityAuto: true}})")
    assert page.eval_on_selector(
        last, "e => e.querySelector('.card-move').getBoundingClientRect().bottom <= e.getBoundingClientRect().bottom"
    )
    # Which columns each redraw refills: a refill writes the column's data-count, so a
    # MutationObserver sees every one. Every card element is marked to see that none is rebuilt.
    page.evaluate(
        """() => {
          window.refilled = [];
          const note = (records) => { for (const r of records) window.refilled.push(r.target.dataset.themeId); };
          const observer = new MutationObserver(note);
          observer.observe(document.getElementById('columns'), { subtree: true, attributeFilter: ['data-count'] });
          window.takeRefilled = () => {
            note(observer.takeRecords());
            const seen = window.refilled;
            window.refilled = [];
            return seen;
          };
          for (const el of document.querySelectorAll('#columns .card')) el.dataset.original = '1';
        }"""
    )
    moved = snap["themes"][0]["input_ids"][0]
    services.move_input(board.id, moved, themes[1], 0)
    page.wait_for_selector(f'.column[data-theme-id="{themes[1]}"] .column-cards > .card[data-id="{moved}"]:first-child')
    # Tema 0 (99 left) and Tema 1 (101 now) were redrawn, once each; Unsorted, Tema 2 and Tema 3 were not.
    assert sorted(page.evaluate("window.takeRefilled()")) == sorted([str(themes[0]), str(themes[1])])
    assert page.inner_text(f'.column[data-theme-id="{themes[0]}"] .column-count') == "99 inputs"

    services.submit_input(board.join_code, "Et nyt kort", "wall-500-new-0001")
    page.wait_for_selector("#columns .card.is-new")
    assert page.evaluate("window.takeRefilled()") == [""]  # Unsorted only, its 101 cards
    assert page.evaluate("document.querySelectorAll('#columns .card[data-original]').length") == 500

    # Moving by keyboard on the big wall: to theme 4, the end of it.
    first = snap["unsorted"][0]
    card(page, first).focus()
    page.keyboard.press("4")
    wait_for_server(board, lambda s: s["Tema 3"][-1] == first)
    assert focused_id(page) == first


# In the page, before its scripts: the number of cards in the columns at their first drawing.
_NOTE_FIRST_DRAWING = """
window.firstDrawing = null;
new MutationObserver(() => {
  const columns = document.getElementById("columns");
  const drawn = columns ? columns.querySelectorAll(".card[data-id]").length : 0;
  if (window.firstDrawing === null && drawn) window.firstDrawing = {cards: drawn, busy: columns.getAttribute("aria-busy")};
}).observe(document, {childList: true, subtree: true});
"""


def test_a_large_wall_draws_each_columns_first_cards_at_once_and_the_rest_while_it_answers(new_context, user, token, live_server):
    """A 1,000-card wall shows every column's first 15 cards with the page, then fills in; events and keys work meanwhile."""
    board, snap = big_board(user, token, live_server, 200)
    themes = [t["id"] for t in snap["themes"]]
    page = browser_login(new_context(viewport={"width": 1600, "height": 1000}))
    page.add_init_script(_NOTE_FIRST_DRAWING)
    # The page's timers wait for the test's clock: the rest is drawn when the test lets time pass.
    page.clock.install(time=1_800_000_000_000)
    page.clock.pause_at(1_800_000_001_000)
    page.goto(f"/workshops/{board.id}/wall")
    page.wait_for_selector("#connection[data-state=up]")
    assert page.evaluate("window.firstDrawing") == {"cards": 5 * 15, "busy": "true"}
    assert page.locator("#columns .card[data-id]").count() == 5 * 15

    # Another facilitator moves the last card of Tema 0 (not drawn yet) to the top of Tema 1.
    moved = snap["themes"][0]["input_ids"][-1]
    services.move_input(board.id, moved, themes[1], 0)
    page.wait_for_selector(f'.column[data-theme-id="{themes[1]}"] .column-cards > .card[data-id="{moved}"]:first-child')
    assert page.inner_text(f'.column[data-theme-id="{themes[0]}"] .column-count') == "199 inputs"
    assert page.get_attribute("#columns", "aria-busy") == "true"  # still filling in

    # A card sent by keyboard to the end of Tema 3, far past what is drawn, keeps the focus there.
    first = snap["unsorted"][0]
    card(page, first).focus()
    page.keyboard.press("4")
    page.wait_for_function(
        f"() => document.activeElement.dataset.id === '{first}' && document.activeElement.matches('.column[data-theme-id=\"{themes[3]}\"] .card:last-child')"
    )
    page.clock.run_for(1000)
    page.wait_for_selector("#columns:not([aria-busy])")
    columns = wait_for_server(board, lambda s: s["Tema 3"][-1] == first)
    drawn = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#columns .column')].map((c) =>
             [c.dataset.themeId, [...c.querySelectorAll('.card[data-id]')].map((e) => Number(e.dataset.id))]))"""
    )
    assert drawn == {"": columns["Unsorted"], **{str(t["id"]): columns[t["title"]] for t in snap["themes"]}}
    assert sum(len(ids) for ids in drawn.values()) == 1000

    # Opened again, timers still frozen: End on a card goes to the last card of its column, drawn or not.
    page.reload()
    page.wait_for_selector("#connection[data-state=up]")
    assert page.get_attribute("#columns", "aria-busy") == "true"
    card(page, columns["Tema 2"][0]).focus()
    page.keyboard.press("End")
    assert focused_id(page) == columns["Tema 2"][-1]


def test_moves_past_hidden_cards_land_alike_on_the_wall_and_the_projector(new_context, wall_board):
    services.set_projector_view(wall_board.id, "themes")
    page = open_wall(new_context, wall_board)
    projector = new_context(viewport={"width": 1280, "height": 720}).new_page()
    projector.goto(f"/p/{wall_board.workshop.projector_secret}")
    projector.wait_for_selector("#projector[data-pages]")
    a, b, c, d = wall_board.ids[:4]
    alpha = theme_id(wall_board, "Alpha")
    in_alpha = column_ids(alpha)

    def shows(screen, ids):
        screen.wait_for_function(f"(ids) => JSON.stringify(({in_alpha})()) === JSON.stringify(ids)", arg=ids)

    # Another facilitator's moves: these screens learn of them only from the events.
    services.hide_input(wall_board.id, b, "off topic")
    for n, x in enumerate((a, b, c)):
        services.move_input(wall_board.id, x, alpha, n)
    services.move_input(wall_board.id, d, alpha, 2)  # right after the hidden b: the projector has no b
    assert server_columns(wall_board)["Alpha"] == [a, b, d, c]
    seen(page, server_snapshot(wall_board)["seq"])
    assert page.evaluate(in_alpha) == [a, d, c]  # the wall lists hidden cards apart
    shows(projector, [a, d, c])
    services.unhide_input(wall_board.id, b)
    shows(projector, [a, b, d, c])
    shows(page, [a, b, d, c])
    services.move_input(wall_board.id, a, alpha, 3)
    shows(projector, [b, d, c, a])
    shows(page, [b, d, c, a])
    assert server_columns(wall_board)["Alpha"] == [b, d, c, a]
    assert page.errors == []


def test_the_reference_wall_fits_a_phone_screen(new_context, user, live_server):
    """A facilitator checking the wall on a phone reads every card and reaches its buttons without scrolling sideways."""
    workshop = load_demo(user.id)
    page = browser_login(new_context(**PHONE), password=PASSWORD)
    page.goto(f"/workshops/{workshop.id}/wall")
    page.wait_for_function("() => document.querySelectorAll('.column .card[data-id]').length === 117")
    screenshot(page, "wall-phone-117")
    # Each card and each of its controls (the Move-to list, Show large, Hide) inside the 390 px screen.
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('.column .card, .column .card-actions > *, .column-header, .column-tools > *')]
             .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > window.innerWidth + 0.5)
             .map((el) => `${el.className} ${Math.round(el.getBoundingClientRect().right)}`)"""
    )
    assert too_wide == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_the_wall_draws_its_board_before_its_socket_connects_and_catches_up_after(new_context, wall_board):
    """On a venue's wifi the socket may come late (or be blocked): the board comes with the page, and nothing sent meanwhile is missed."""
    held, sockets, withheld = True, [], []

    def hold(ws):
        # The server's answers (the socket's own handshake first) reach the page only once let through.
        sockets.append(ws)
        ws.connect_to_server().on_message(lambda message: withheld.append(message) if held else ws.send(message))

    page = browser_login(new_context(viewport={"width": 1400, "height": 900}), password=PASSWORD)
    page.route_web_socket("**/socket.io/**", hold)
    page.route("**/socket.io/**", lambda route: route.abort())  # no long-polling fallback either
    page.goto(f"/workshops/{wall_board.id}/wall")
    page.wait_for_selector(f'.column-unsorted .card[data-id="{wall_board.ids[-1]}"]')
    assert page.locator(".column-unsorted .card").count() == len(wall_board.ids)
    assert page.locator(".column-title").all_inner_texts() == ["Unsorted", "Alpha", "Beta"]
    assert int(page.get_attribute("#wall", "data-seq")) == server_snapshot(wall_board)["seq"]
    page.wait_for_timeout(300)
    assert page.get_attribute("#connection", "data-state") != "up"

    # The room goes on while this wall has no socket.
    late, _ = services.submit_input(wall_board.workshop.join_code, "Sendt mens væggen ventede", "wall-key-late")
    alpha = theme_id(wall_board, "Alpha")
    services.move_input(wall_board.id, wall_board.ids[0], alpha, 0)
    held = False
    for message in withheld:
        sockets[0].send(message)
    page.wait_for_selector("#connection[data-state=up]")
    card(page, late.id).wait_for()
    holder(page, alpha).locator(f'.card[data-id="{wall_board.ids[0]}"]').wait_for()
    seen(page, server_snapshot(wall_board)["seq"])
    assert page.evaluate(column_ids("")) == server_columns(wall_board)["Unsorted"]
