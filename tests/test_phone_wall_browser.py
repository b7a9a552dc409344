"""Participants see the wall, in real headless Chromium: the phone shows the visible board and follows it live."""

from __future__ import annotations

import pytest

from conftest import PHONE, screenshot, sqlite_only
from facilitator import services
from facilitator.demo import load_demo
from test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, sqlite_only]


def board_text(page) -> str:
    return page.inner_text("#phone-wall-list")


def test_a_phone_follows_the_visible_board_live(new_context, user):
    w = services.create_workshop(
        user.id, "Tavle", language="da", themes=["Trafik", "Skole"], settings={"participants_see_wall": True}
    )
    services.set_status(w.id, "open")
    first, _ = services.submit_input(w.join_code, "Cykelstier", "key-cykel-0001")
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{w.join_code}")
    phone.wait_for_selector("#phone-wall:not([hidden])")
    assert "Ikke sorteret" in board_text(phone) and "Cykelstier" in board_text(phone)

    phone.fill("#text", "Flere bænke")
    phone.click("#send")
    phone.wait_for_function("() => document.getElementById('phone-wall-list').textContent.includes('Flere bænke')")

    trafik = services.create_theme(w.id, "Busser")  # a new theme shows once it has an input
    services.move_input(w.id, first.id, trafik.id, 0)
    phone.wait_for_function(
        "() => [...document.querySelectorAll('.phone-wall-group')].some("
        "g => g.querySelector('.phone-wall-title').textContent === 'Busser' && g.textContent.includes('Cykelstier'))"
    )
    screenshot(phone, "phone-wall")

    services.hide_input(w.id, first.id, "test")
    phone.wait_for_function("() => !document.getElementById('phone-wall-list').textContent.includes('Cykelstier')")
    assert "Busser" not in board_text(phone)  # an empty theme is not listed

    services.update_workshop(w.id, {"settings": {"participants_see_wall": False}})
    phone.wait_for_selector("#phone-wall", state="hidden")
    assert phone.locator(".phone-wall-item").count() == 0


def test_the_reference_board_on_a_phone(new_context, user):
    w = load_demo(user.id)
    services.update_workshop(w.id, {"settings": {"participants_see_wall": True}})
    phone = new_context(**PHONE).new_page()
    phone.goto(f"/j/{w.join_code}")
    phone.wait_for_selector("#phone-wall:not([hidden])")
    assert phone.locator(".phone-wall-item").count() == 117
    assert phone.locator(".phone-wall-title").count() == 4
    # Nothing wider than the phone: long Danish words wrap inside the screen.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, "phone with the board")
    screenshot(phone, "phone-wall-reference")
