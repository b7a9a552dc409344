"""Languages: the Danish catalogue is complete and compiled, templates and scripts carry no
untranslatable text, and pages speak the language they should (workshop's, browser's, chosen)."""

from __future__ import annotations

import functools
import gettext
import io
import re
import shlex
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale
from jinja2 import Environment, nodes

from conftest import FreshContexts
from facilitator.errors import ServiceError

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "facilitator" / "translations"
DA_PO = TRANSLATIONS / "da" / "LC_MESSAGES" / "messages.po"
DA_MO = TRANSLATIONS / "da" / "LC_MESSAGES" / "messages.mo"
TEMPLATES = ROOT / "templates"
SCRIPTS = ROOT / "static" / "js"
FIX = "run `make messages`, translate in facilitator/translations/da/LC_MESSAGES/messages.po, run it again"


# --- The catalogue ---------------------------------------------------------------------------


def extra_keywords() -> dict:
    """The gettext keywords `make messages` passes with -k (read from the Makefile: one source)."""
    line = re.search(r"^BABEL_KEYWORDS\s*:=(.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert line, "the Makefile defines BABEL_KEYWORDS for `make messages`"
    words = shlex.split(line.group(1))
    return parse_keywords([words[i + 1] for i, word in enumerate(words) if word == "-k"])


@functools.cache
def fresh_extraction() -> Catalog:
    """Extract the current sources in-process exactly as `make messages` does (once per run)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    catalog = Catalog(locale=None)
    keywords = {**DEFAULT_KEYWORDS, **extra_keywords()}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def danish_catalogue() -> Catalog:
    with open(DA_PO, "rb") as f:
        return read_po(f, locale="da")


def _key(message) -> tuple:
    return (message.context, message.id)


def test_extraction_sees_python_templates_and_lazy_strings():
    """Guards the guard: babel.cfg and the keywords really reach all three kinds of source."""
    catalog = fresh_extraction()
    ids = {m.id for m in catalog if m.id}
    assert "Received ✓" in ids  # a template
    assert any("%(length)s" in i and "%(limit)s" in i for i in ids if isinstance(i, str))  # errors.py, via _l
    files = {loc[0].split("/")[0] for m in catalog for loc in m.locations}
    assert {"facilitator", "templates"} <= files


def test_danish_catalogue_translates_every_extracted_message():
    """Adding a string without translating it fails here with the list of what is missing."""
    danish = {_key(m): m for m in danish_catalogue() if m.id}
    missing, fuzzy, wrong_placeholders = [], [], []
    for message in fresh_extraction():
        if not message.id:
            continue
        where = f"{message.id!r} ({message.locations[0][0]}:{message.locations[0][1]})"
        found = danish.get(_key(message))
        strings = found.string if found and isinstance(found.string, tuple) else (found.string if found else "",)
        if found is None or not all(s and s.strip() for s in strings):
            missing.append(where)
        elif found.fuzzy:
            fuzzy.append(where)
        else:
            source = message.id if isinstance(message.id, str) else message.id[0]
            if _placeholders(source) != _placeholders(strings[0]):
                wrong_placeholders.append(f"{where} -> {strings[0]!r}")
    assert not missing, f"Danish translation missing for ({FIX}):\n" + "\n".join(missing)
    assert not fuzzy, "Fuzzy Danish entries are ignored at runtime; check and unmark them:\n" + "\n".join(fuzzy)
    assert not wrong_placeholders, "Placeholders differ from the English:\n" + "\n".join(wrong_placeholders)


def _placeholders(text: str) -> list[str]:
    """%(name)s and {name} placeholders, sorted: a translation must keep exactly these."""
    return sorted(re.findall(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}", text))


def test_the_danish_catalogue_is_well_formed_and_has_no_leftovers():
    """Babel's own checks pass, and the catalogue holds no fuzzy entry at all (not even stale ones)."""
    catalogue = danish_catalogue()
    problems = [f"{m.id!r}: {e}" for m, errors in catalogue.check() for e in errors]
    assert not problems, "\n".join(problems)
    assert not [m.id for m in catalogue if m.id and m.fuzzy]
    assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);"


def test_compiled_catalogue_matches_the_po_file():
    """The .mo that Flask-Babel loads says what the .po says (nobody forgot `make messages`)."""
    expected = io.BytesIO()
    write_mo(expected, danish_catalogue(), use_fuzzy=False)
    expected.seek(0)
    want = gettext.GNUTranslations(expected)._catalog
    with open(DA_MO, "rb") as f:
        have = gettext.GNUTranslations(f)._catalog
    stale = sorted(str(k) for k in set(want) ^ set(have) | {k for k in want if have.get(k) != want[k]})
    assert not stale, f"messages.mo is out of date ({FIX}); differing entries:\n" + "\n".join(stale[:20])


# --- Templates: no text outside _() ----------------------------------------------------------

# Words a template may show as they are: the product's name and the names of the languages in
# the language switch (each written in its own language on purpose).
ALLOWED_WORDS = {"Facilitator", "Dansk", "English"}
# Attributes whose value a person sees or hears.
SPOKEN_ATTRIBUTES = {
    "alt", "title", "placeholder", "label", "aria-label", "aria-description", "aria-roledescription",
    "aria-placeholder", "aria-valuetext",
}
# Elements whose text is not language: code, and <kbd> key caps (the names printed on the keys,
# "Alt", "Ctrl", "Z", which a Danish keyboard prints the same way).
UNSPOKEN_ELEMENTS = {"script", "style", "kbd"}
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
# Templates under export/ render the document's fixed phrases in the workshop's language
# (facilitator/export/phrases.py), not the reader's, so they are not gettext territory.
TEMPLATE_EXCLUDES = ("export/",)


# Parsing only (nothing is rendered): the i18n extension makes {% trans %} blocks parse.
JINJA = Environment(extensions=["jinja2.ext.i18n"])


def _templates() -> list[Path]:
    found = [
        p for p in sorted(TEMPLATES.rglob("*.html"))
        if not p.relative_to(TEMPLATES).as_posix().startswith(TEMPLATE_EXCLUDES)
    ]
    assert found, "templates were found"
    return found


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text) if w not in ALLOWED_WORDS]


class _VisibleText(HTMLParser):
    """Collects text nodes and spoken attribute values of the template's literal HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in UNSPOKEN_ELEMENTS:
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            spoken = name in SPOKEN_ATTRIBUTES or name.startswith("data-msg-")
            if tag == "input" and name == "value" and attributes.get("type") in ("submit", "button", "reset"):
                spoken = True
            if spoken and value and _words(value):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_endtag(self, tag):
        if tag in UNSPOKEN_ELEMENTS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and _words(data):
            self.found.append(data.strip())


def attribute_blocks() -> set[str]:
    """Blocks that a parent template opens inside an attribute that is not spoken (body_class).

    Their content in a child template is a class name or similar, not text on the page.
    """
    names = set()
    for path in _templates():
        pattern = r'([\w-]+)\s*=\s*"[^"<>]*\{%-?\s*block\s+(\w+)'
        for attribute, block in re.findall(pattern, path.read_text(encoding="utf-8")):
            if attribute not in SPOKEN_ATTRIBUTES and not attribute.startswith("data-msg-"):
                names.add(block)
    return names


def _literal_html(node, skip_blocks: set[str]):
    """The template's literal HTML in document order, every branch, without Jinja expressions."""
    if isinstance(node, nodes.TemplateData):
        yield node.data
    elif not (isinstance(node, nodes.Block) and node.name in skip_blocks):
        for child in node.iter_child_nodes():
            yield from _literal_html(child, skip_blocks)


def template_problems(source: str) -> list[str]:
    """Literal text a template shows without _(), and phrases passed to macros untranslated.

    The template is parsed by Jinja: its literal HTML (TemplateData, every branch, Jinja
    expressions removed) goes through an HTML parser that reports visible text nodes and spoken
    attributes with letters. String constants inside Jinja expressions that contain a space and
    a letter (a phrase, not a CSS class, URL or status name) must be the argument of a gettext
    call.
    """
    tree = JINJA.parse(source)
    html = "".join(_literal_html(tree, attribute_blocks()))
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    problems = [f"text outside _(): {text!r}" for text in parser.found]
    translated = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_CALLS:
            translated.update(id(arg) for arg in call.args if isinstance(arg, nodes.Const))
    for const in tree.find_all(nodes.Const):
        value = const.value
        if isinstance(value, str) and id(const) not in translated and re.search(r"\s", value) and _words(value):
            problems.append(f"phrase in an expression, not in _(): {value!r} (line {const.lineno})")
    return problems


def test_templates_show_no_text_outside_gettext():
    problems = []
    for path in _templates():
        for problem in template_problems(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT)}: {problem}")
    assert not problems, "Wrap these in _() (see README, Translations):\n" + "\n".join(problems)


def test_template_check_catches_untranslated_text():
    """The checker itself flags text, spoken attributes, data-msg-* and macro phrases."""
    bad = (
        '<p>Hello there</p><img alt="A logo"><button aria-label="Close">{{ _("x") }}</button>'
        '<div data-msg-x="Saved"></div><input type="submit" value="Send">{{ macro("Save it now") }}'
    )
    found = template_problems(bad)
    assert len(found) == 6, found
    good = (
        '<p>{{ _("Hello there") }}</p><img alt="{{ _(\'A logo\') }}"> · Facilitator '
        '<a lang="en">English</a><kbd>Ctrl</kbd>{% if x == "open" %}<b class="a b">{{ w.title }}</b>{% endif %}'
        '<button name="status" value="open">{{ pgettext("status", "Open now") }}</button>'
    )
    assert template_problems(good) == []


# --- JavaScript: no user-facing literals ------------------------------------------------------

# Literals a script may contain although they look like phrases (explain each one).
JS_ALLOWED: set[str] = set()
_JS_TOKENS = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?\*/)
      | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)""",
    re.S | re.X,
)
HTML_TAGS = set(
    "a article aside b blockquote button code details dialog div dl dd dt em fieldset footer form h1 h2 h3 "
    "header img input kbd label legend li main nav ol option p section select span strong summary table "
    "tbody td template textarea th thead time tr ul".split()
)
_SELECTOR_TOKEN = re.compile(r"^[\w.#\[\]=\"':>~+*(),$-]*[.#\[\-:>][\w.#\[\]=\"':>~+*(),$-]*$")
_SPOKEN_SINKS = re.compile(
    r"""(?:\.(?:textContent|innerText|innerHTML|title|placeholder|alt|ariaLabel)\s*\+?=
      | \b(?:alert|confirm|prompt)\(
      | setAttribute\(\s*["'](?:aria-label|title|alt|placeholder)["']\s*,
      )\s*$""",
    re.X,
)
# A fallback after || or ?? is a message fallback when it reads like text (a space or a capital);
# a lowercase single word there is a key or a status ("draft").
_FALLBACK = re.compile(r"(?:\|\||\?\?)\s*$")
# Class names, selectors, data keys and event names are for the machine, whatever they look like.
_MACHINE_SINKS = re.compile(
    r"""(?:\.className\s*\+?=
      | \.classList\.\w+\(
      | \b(?:querySelector|querySelectorAll|closest|matches|matchMedia|getElementById|addEventListener|removeEventListener)\(
      | \bdataset\.\w+\s*=
      )\s*$""",
    re.X,
)


def script_literals(source: str) -> list[tuple[int, str, str]]:
    """(line, literal without ${...}, code before it) for each string literal outside comments."""
    found = []
    for match in _JS_TOKENS.finditer(source):
        if match.group("string"):
            body = re.sub(r"\$\{[^}]*\}", "", match.group("string")[1:-1])
            line = source.count("\n", 0, match.start()) + 1
            before = source[max(0, match.start() - 80):match.start()]
            found.append((line, body, before))
    return found


def is_user_facing(literal: str, before: str) -> bool:
    """The heuristic: does this JavaScript string literal look like text for people?

    - A literal assigned to className, passed to classList.*, querySelector(All), closest,
      matches, getElementById or add/removeEventListener, or assigned to a dataset key, is not.
    - Any literal with letters that is assigned to textContent/innerText/innerHTML/title/
      placeholder/alt, passed to alert/confirm/prompt or setAttribute("aria-label"|"title"|...)
      is user-facing; so is a message fallback after || or ?? that has a space or a capital.
    - Otherwise a literal is user-facing when it contains a space and a letter, unless every
      space- or comma-separated part is selector- or class-like (an HTML tag name, or has one of
      . # [ - : > and no capital after the first character: "status-banner status-open",
      ".card .card-text", "select, button, a"), it is a URL or path (starts with /, ./, http),
      or it is in JS_ALLOWED.
    Single words that are not in a spoken position (event names, keys, status codes) pass.
    """
    if literal in JS_ALLOWED or not re.search(r"[^\W\d_]", literal):
        return False
    if _MACHINE_SINKS.search(before):
        return False
    if _SPOKEN_SINKS.search(before):
        return True
    if _FALLBACK.search(before) and (re.search(r"\s", literal.strip()) or literal[:1].isupper()):
        return True
    if not re.search(r"\s", literal.strip()):
        return False
    if re.match(r"^(?:/|\./|https?://)", literal):
        return False
    return not _is_selector(literal)


def _is_selector(literal: str) -> bool:
    """A class list or CSS selector (list): ".card .card-text", "status status-open", "select, a"."""
    tokens = [t for t in re.split(r"[\s,]+", literal) if t]
    return all(
        (_SELECTOR_TOKEN.match(t) and not re.search(r"[A-Z]", t[1:])) or t in HTML_TAGS for t in tokens
    ) and any(_SELECTOR_TOKEN.match(t) or t in HTML_TAGS for t in tokens)


def test_scripts_have_no_user_facing_literals():
    scripts = sorted(SCRIPTS.glob("*.js"))
    assert scripts, "page scripts were found"
    problems = []
    for path in scripts:
        for line, literal, before in script_literals(path.read_text(encoding="utf-8")):
            if is_user_facing(literal, before):
                problems.append(f"{path.relative_to(ROOT)}:{line}: {literal!r}")
    assert not problems, (
        "Pass text to scripts as data-msg-* attributes rendered with _() instead:\n" + "\n".join(problems)
    )


def test_script_check_catches_literals():
    """The heuristic flags phrases and spoken sinks, and lets selectors, URLs and keys through."""
    source = """
      el.textContent = "Saved";            // a spoken sink, even one word
      box.title = `Hidden ${n}`;
      alert('Oops');
      el.setAttribute("aria-label", "Close");
      const m = msg("x") || "Fallback";
      const s = "Something went wrong";
      /* "Commented out text" */
      el.className = `status-banner status-${next}`;
      statusEl.className = `status status-${status}`;
      const status = board.workshop.status || "draft";
      const t = "theme_order" in d || "colour" in d;
      el.querySelector(".card .card-text");
      const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
      new Sortable(el, { filter: "select, button, a, input, textarea, label" });
      const wrong = "send it, then wait";
      fetch(`/api/v1/workshops/${id}`, { method: "POST" });
      socket.on("connect", () => {});
      headers["Content-Type"] = "application/json";
    """
    flagged = [lit for _line, lit, before in script_literals(source) if is_user_facing(lit, before)]
    assert flagged == ["Saved", "Hidden ", "Oops", "Close", "Fallback", "Something went wrong", "send it, then wait"]


# --- Pages speak the right language -----------------------------------------------------------


def _workshop(api, language: str) -> dict:
    response = api.post("/workshops", json={"title": f"Sprog {language}", "language": language})
    assert response.status_code == 201, response.json
    return response.json


def test_participant_page_follows_the_workshop_language_with_a_switch(app, api):
    danish, english = _workshop(api, "da"), _workshop(api, "en")
    page = FreshContexts(app).page(f"/j/{danish['join_code']}", headers={"Accept-Language": "en"})
    assert 'data-msg-received="Modtaget ✓"' in page and '<html lang="da"' in page
    # The same English words, a different Danish: the state "open" (pgettext), not the button "open!".
    assert 'data-msg-open="Åben for input"' in page
    page = FreshContexts(app).page(f"/j/{english['join_code']}", headers={"Accept-Language": "da"})
    assert 'data-msg-received="Received ✓"' in page and '<html lang="en"' in page
    assert 'data-msg-open="Open for input"' in page

    phone = FreshContexts(app)
    page = phone.page(f"/j/{danish['join_code']}?lang=en")
    assert 'data-msg-received="Received ✓"' in page and '<html lang="en"' in page
    # The phone's choice sticks for its next page view, and can be switched back.
    assert 'data-msg-received="Received ✓"' in phone.page(f"/j/{danish['join_code']}")
    assert 'data-msg-received="Modtaget ✓"' in phone.page(f"/j/{danish['join_code']}?lang=da")


def test_participant_errors_follow_the_workshop_language(app, api):
    danish = _workshop(api, "da")  # a draft: not taking inputs yet
    response = FreshContexts(app).post(
        f"/api/v1/join/{danish['join_code']}/inputs",
        json={"text": "Hej", "client_key": "8d0c6a52-7a3f-4f6e-9a59-3f3f5b1f0a11"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    with force_locale("da"):
        expected = ServiceError("not_open").message()
    assert response.json["error"]["message"] == expected
    assert expected.startswith("Workshoppen")


def test_facilitator_pages_follow_the_browser_with_a_switch(app):
    page = FreshContexts(app).page("/login", headers={"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"})
    assert "Log ind som facilitator" in page and "Adgangskode" in page and '<html lang="da"' in page
    page = FreshContexts(app).page("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Facilitator login" in page and "Password" in page and '<html lang="en"' in page

    browser = FreshContexts(app)
    page = browser.page("/login?lang=en", headers={"Accept-Language": "da"})
    assert "Facilitator login" in page and '<html lang="en"' in page
    # The choice is remembered over the browser's preference until switched back.
    assert "Facilitator login" in browser.page("/login", headers={"Accept-Language": "da"})
    assert "Log ind som facilitator" in browser.page("/login?lang=da", headers={"Accept-Language": "en"})


def test_error_messages_are_translated(app):
    with force_locale("da"):
        assert "tegn" in ServiceError("too_long", length=1200, limit=1000).message()
        assert "1200" in ServiceError("too_long", length=1200, limit=1000).message()
    with force_locale("en"):
        assert "characters" in ServiceError("too_long", length=1200, limit=1000).message()


@pytest.mark.parametrize(
    ("lang", "expected"), [("da", ("13.08.2025", "14.05")), ("en", ("8/13/25", "2:05"))]
)
def test_dates_and_numbers_are_localised(app, lang, expected):
    moment = datetime(2025, 8, 13, 14, 5, tzinfo=timezone.utc)
    with app.app_context(), app.test_request_context(f"/?lang={lang}"):  # a fresh g: no cached locale
        text = render_template_string("{{ moment|datetime }} {{ 1234567|numberformat }}", moment=moment)
    assert all(part in text for part in expected), text
    assert ("1.234.567" if lang == "da" else "1,234,567") in text
