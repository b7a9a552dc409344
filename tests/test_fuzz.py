"""Fuzzed input text against the phone's two doors (JSON API and the no-JavaScript form).

Never a 500; an accepted text is stored exactly as it was decoded from the
request (read back from the database); a refused one gets a documented code
and status; and in headless Chromium hostile and odd texts show as text,
exactly, on the wall and the projector.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import uuid
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conftest import browser_login, csrf_in, sqlite_only
from facilitator import services
from facilitator.db import database
from facilitator.errors import ERRORS
from facilitator.models import Input

LIMIT = 120  # a small max_input_length makes "just over the limit" cheap to reach

# Texts people (and attackers) really paste: markup, scripts, direction marks,
# joined emoji, stacked combining marks, separators, NUL and other controls.
EDGE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "'; DROP TABLE inputs; --",
    "&lt;b&gt;&amp;",
    "\u202eevil\u202c",
    "שלום עולם",
    "مرحبا بالعالم",
    "👩\u200d👩\u200d👧\u200d👦",
    "🏳️\u200d🌈",
    "e\u0301\u0302\u0303\u0304",
    "Z̴̡̢̛̗͎͉̲͂̆̆͗̓̾",
    "\ufeffBOM",
    "\u2028\u2029",
    "\u00a0\u3000",
    "\U0010ffff\ufffe\uffff",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\r\n\t",
    "æøå ÆØÅ",
]

characters = st.one_of(
    st.characters(),  # any code point except surrogates
    st.characters(categories=["Cs"]),  # lone surrogates (sent as JSON escapes)
    st.characters(categories=["Cc"]),
    st.characters(categories=["Mn", "Me", "Cf", "Zs", "Zl", "Zp"]),
)
texts = st.one_of(
    st.text(characters, max_size=40),
    st.lists(st.sampled_from(EDGE), min_size=1, max_size=6).map("".join),
    st.tuples(st.sampled_from(EDGE), st.text(characters, max_size=10)).map("".join),
    # Around the limit, counted in code points (astral characters count once).
    st.tuples(st.sampled_from(["x", "é", "😀", "e\u0301"]), st.integers(LIMIT - 3, LIMIT + 3)).map(lambda t: t[0] * t[1]),
    st.integers(LIMIT, 30_000).map(lambda n: "ø" * n),
)
# Form bodies are UTF-8: a lone surrogate cannot be in one.
form_texts = texts.filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t))


def refusals(text: str) -> set[str]:
    """Every documented refusal that the issue's rules allow for this text (the oracle)."""
    codes = set()
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        codes.add("control_characters")
    # Only white space, format characters (zero-width, bidi controls) and fillers: nothing to see.
    if all(c.isspace() or unicodedata.category(c) == "Cf" or c in "\u115f\u1160\u3164\uffa0\u2800" for c in text):
        codes.add("empty")
    # Unicode noncharacters: U+FDD0..U+FDEF and the last two code points of every plane.
    if any(0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE for c in text):
        codes.add("noncharacters")
    if len(text) > LIMIT:
        codes.update({"too_long", "body_too_large"})
    if any(c not in "\n\r\t" and unicodedata.category(c) == "Cc" for c in text):
        codes.add("control_characters")
    return codes


def stored_text(key: str) -> str | None:
    with database().reader() as s:
        return s.execute(select(Input.text).where(Input.client_key == key)).scalar_one_or_none()


@pytest.fixture
def fuzz_workshop(user):
    w = services.create_workshop(user.id, "Fuzz", language="en", settings={"max_input_length": LIMIT})
    services.set_status(w.id, "open")
    return w


def check(response, text: str, key: str) -> str | None:
    """The answer is an acceptance with the exact text stored, or a documented refusal that applies.

    Returns the refusal's code (None when accepted).
    """
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    allowed = refusals(text)
    if response.status_code in (200, 201, 302, 303):
        assert not allowed, f"accepted although it should be refused as {allowed}: {text!r}"
        assert stored_text(key) == text
        event("accepted")
        return None
    assert stored_text(key) is None
    if response.is_json:
        code = response.json["error"]["code"]
        assert response.json["error"]["message"]
    else:  # a page: the status names the refusal among those that apply
        codes = [c for c in sorted(allowed, key=lambda c: c == "body_too_large") if ERRORS[c][0] == response.status_code]
        assert codes, f"{response.status_code} for {text!r}"
        code = codes[0]
    assert code in allowed, f"{code} for {text!r}"
    assert response.status_code == ERRORS[code][0]
    event(f"refused: {code}")
    return code


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_fuzzed_json_inputs_are_stored_exactly_or_refused_with_a_documented_code(client, fuzz_workshop, text):
    key = uuid.uuid4().hex
    # ensure_ascii escapes lone surrogates (and astral characters as pairs): what the server decodes is the oracle.
    raw = json.dumps({"text": text, "client_key": key})
    sent = json.loads(raw)["text"]
    response = client.post(f"/api/v1/join/{fuzz_workshop.join_code}/inputs", data=raw, content_type="application/json")
    check(response, sent, key)
    if response.status_code == 201:
        again = client.post(f"/api/v1/join/{fuzz_workshop.join_code}/inputs", data=raw, content_type="application/json")
        assert again.status_code == 200 and again.json["id"] == response.json["id"]


def form_csrf(client, code: str) -> str:
    """The token of the phone page's form, as a browser without JavaScript posts it back."""
    return csrf_in(client.get(f"/j/{code}").get_data(as_text=True))


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=form_texts)
def test_fuzzed_form_inputs_are_stored_exactly_or_refused_and_kept_in_the_box(app, client, fuzz_workshop, text):
    key = uuid.uuid4().hex
    csrf = form_csrf(client, fuzz_workshop.join_code)
    form = {"text": text, "client_key": key, "csrf_token": csrf}
    response = client.post(f"/j/{fuzz_workshop.join_code}", data=form)
    check(response, text, key)
    if response.status_code >= 400 and len(urlencode(form)) < app.config["MAX_CONTENT_LENGTH"]:
        # The refusal page gives the text back in the box to be fixed (escaped, so it stays text).
        page = response.get_data(as_text=True)
        box = re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', page, re.S)
        assert box is not None and html.unescape(box.group(1)) == text
        if len(text) > LIMIT:
            assert str(LIMIT) in page


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(characters, max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=json_values, key=json_values, name=json_values, code=st.sampled_from(["own", "ZZZZZZ", "a b", "\u0000"]))
def test_any_json_body_gets_a_documented_answer(client, fuzz_workshop, text, key, name, code):
    url_code = fuzz_workshop.join_code if code == "own" else code
    body = json.dumps({"text": text, "client_key": key, "author_name": name})
    response = client.post(f"/api/v1/join/{url_code}/inputs", data=body, content_type="application/json")
    assert response.status_code < 500
    if response.status_code >= 400:
        error = response.json["error"]
        assert error["code"] in ERRORS and response.status_code == ERRORS[error["code"]][0]
    else:
        assert isinstance(text, str) and isinstance(key, str) and stored_text(key) == text


BROWSER_TEXTS = [
    "<script>alert('wall')</script>",
    '<img src=x onerror="alert(1)"> and <b>bold</b> &amp; &lt;',
    "\u202egnirts desrever\u202c then 👩\u200d👩\u200d👧\u200d👦 family",
    "e\u0301\u0302 stacked Z̴̡̢̛̗͎͉̲͂̆̆͗̓̾ marks",
    "two\nlines\twith tab and  double  spaces ",
    "שלום <i>x</i> مرحبا",
]


@pytest.mark.browser
@sqlite_only
def test_fuzz_payloads_show_as_exact_text_on_wall_and_projector(new_context, client, fuzz_workshop):
    dialogs: list[str] = []
    wall = browser_login(new_context())
    wall.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    wall.goto(f"/workshops/{fuzz_workshop.id}/wall")
    wall.wait_for_selector("#connection[data-state=up]")
    projector = new_context().new_page()
    projector.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    projector.goto(f"/p/{fuzz_workshop.projector_secret}")
    projector.wait_for_selector("#projector[data-pages]")
    for text in BROWSER_TEXTS:  # arrive live: rendered by the pages' scripts
        response = client.post(
            f"/api/v1/join/{fuzz_workshop.join_code}/inputs", json={"text": text, "client_key": uuid.uuid4().hex}
        )
        assert response.status_code == 201
    # A <wbr> (a line-break opportunity after a slash, render.js) is the one element a text may hold.
    texts_of = ("[...document.querySelectorAll('.card .card-text')]"
                ".map(e => [e.textContent, [...e.children].filter(c => c.tagName !== 'WBR').length])")
    count = f"() => document.querySelectorAll('.card .card-text').length >= {len(BROWSER_TEXTS)}"
    for page in (wall, projector):
        page.wait_for_function(count)
        shown = page.evaluate(texts_of)
        assert sorted(t for t, _ in shown) == sorted(BROWSER_TEXTS)
        assert all(children == 0 for _, children in shown)  # no markup became elements
        assert page.locator(".card img, .card script, .card svg, .card b, .card i").count() == 0
    # And at first render (server snapshot) after a reload.
    projector.reload()
    projector.wait_for_function(count)
    assert sorted(t for t, _ in projector.evaluate(texts_of)) == sorted(BROWSER_TEXTS)
    assert dialogs == []
