"""The dashboard: duplicate, archive and its filter, the settings form, error pages, the
accessibility statement. Pages are driven through the real forms (with their CSRF tokens)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from conftest import FreshContexts, csrf_of, log_in
from facilitator import services
from facilitator.db import database
from facilitator.errors import ServiceError
from facilitator.models import Event, Input, Prompt, Theme, Workshop


@pytest.fixture
def web(app):
    """A fresh facilitator browser (cookie jar)."""
    return FreshContexts(app)


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def fetch(model, **where):
    with database().reader() as s:
        return list(s.execute(select(model).filter_by(**where)).scalars())


@pytest.fixture
def rich(user):
    """A workshop with two questions, coloured themes with summaries, settings and inputs."""
    w = services.create_workshop(
        user.id,
        "Borgermøde om trafik",
        language="en",
        description="Hvad fylder på vejene?",
        prompt="Første spørgsmål",
        themes=["Cykler", "Busser"],
        settings={"max_input_length": 280, "named_inputs": True, "participants_choose_theme": True},
        place="Rådhuset",
        held_on="2026-05-01",
    )
    services.set_active_prompt(w.id, "Andet spørgsmål")
    themes = fetch(Theme, workshop_id=w.id)
    services.update_theme(w.id, themes[0].id, {"colour": "#aa3300", "summary": "Flere cykelstier"})
    services.set_status(w.id, "open")
    item, _ = services.submit_input(w.join_code, "Cykelsti langs åen", str(uuid.uuid4()), "Ida")
    services.move_input(w.id, item.id, themes[0].id, 0)
    return w


def test_duplicate_copies_settings_questions_and_themes_but_no_inputs(rich, other_user):
    copy = services.duplicate_workshop(rich.id, other_user.id, title="Borgermøde om trafik (copy)", actor="test")
    original = fetch(Workshop, id=rich.id)[0]
    copy = fetch(Workshop, id=copy.id)[0]
    assert copy.title == "Borgermøde om trafik (copy)"
    assert copy.owner_id == other_user.id and copy.status == "draft" and copy.held_on == ""
    assert copy.join_code != original.join_code and copy.projector_secret != original.projector_secret
    for name in ("description", "language", "place", "max_input_length", "named_inputs", "participants_choose_theme"):
        assert getattr(copy, name) == getattr(original, name), name
    assert (copy.max_input_length, copy.named_inputs, copy.language) == (280, True, "en")

    def shape(workshop_id):
        prompts = sorted(fetch(Prompt, workshop_id=workshop_id), key=lambda p: p.position)
        themes = sorted(fetch(Theme, workshop_id=workshop_id), key=lambda t: t.position)
        return [(p.text, p.active) for p in prompts], [(t.title, t.colour) for t in themes]

    assert shape(copy.id) == shape(original.id)
    assert shape(copy.id) == ([("Første spørgsmål", False), ("Andet spørgsmål", True)], [("Cykler", "#aa3300"), ("Busser", "")])
    assert all(t.summary == "" for t in fetch(Theme, workshop_id=copy.id))
    assert fetch(Input, workshop_id=copy.id) == []
    assert len(fetch(Input, workshop_id=original.id)) == 1
    # The copy has its own event log, from 1, one event per thing created.
    events = sorted(fetch(Event, workshop_id=copy.id), key=lambda e: e.seq)
    assert [e.seq for e in events] == list(range(1, 6))
    assert [e.type for e in events] == ["workshop.created", "prompt.created", "prompt.created", "theme.created", "theme.created"]
    assert events[0].data["copied_from"] == original.id
    # The copy takes inputs once opened; the original's are untouched.
    services.set_status(copy.id, "open")
    services.submit_input(copy.join_code, "Nyt input", str(uuid.uuid4()), "Bo")
    assert len(fetch(Input, workshop_id=copy.id)) == 1 and len(fetch(Input, workshop_id=original.id)) == 1


def test_duplicating_a_missing_workshop_is_refused(user):
    with pytest.raises(ServiceError) as info:
        services.duplicate_workshop(999999, user.id)
    assert info.value.code == "not_found"
    with database().reader() as s:
        assert s.execute(select(func.count(Workshop.id))).scalar_one() == 0


def test_duplicate_and_archive_through_the_dashboard(web, rich, other_user):
    assert log_in(web).status_code == 302
    csrf = csrf_of(web)
    response = web.post(f"/workshops/{rich.id}/duplicate", data={"csrf_token": csrf})
    assert response.status_code == 302
    copy_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = web.get(f"/workshops/{copy_id}").get_data(as_text=True)
    assert "Borgermøde om trafik" in page and copy_id != rich.id
    assert fetch(Workshop, id=copy_id)[0].title.startswith("Borgermøde om trafik")

    listing = web.get("/workshops?lang=en").get_data(as_text=True)
    assert f'data-workshop="{rich.id}"' in listing and f'data-workshop="{copy_id}"' in listing
    assert "Show archived workshops (0)" in listing

    response = web.post(f"/workshops/{rich.id}/archive", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert fetch(Workshop, id=rich.id)[0].status == "archived"
    listing = web.get("/workshops?lang=en").get_data(as_text=True)
    assert f'data-workshop="{rich.id}"' not in listing and f'data-workshop="{copy_id}"' in listing
    assert "Show archived workshops (1)" in listing
    archived = web.get("/workshops?show=archived&lang=en").get_data(as_text=True)
    assert f'data-workshop="{rich.id}"' in archived and f'data-workshop="{copy_id}"' not in archived
    assert title_of(archived).startswith("Archived workshops")
    # Archived means closed for input, with a clear refusal to phones.
    with pytest.raises(ServiceError):
        services.submit_input(rich.join_code, "For sent", str(uuid.uuid4()))

    web.post(f"/workshops/{rich.id}/archive", data={"csrf_token": csrf, "restore": "1"})
    assert fetch(Workshop, id=rich.id)[0].status == "closed"
    assert f'data-workshop="{rich.id}"' in web.get("/workshops").get_data(as_text=True)

    # Another facilitator can neither copy nor archive it.
    other = FreshContexts(web.app)
    assert log_in(other, "bo@example.org").status_code == 302
    other_csrf = csrf_of(other)
    assert other.post(f"/workshops/{rich.id}/duplicate", data={"csrf_token": other_csrf}).status_code == 404
    assert other.post(f"/workshops/{rich.id}/archive", data={"csrf_token": other_csrf}).status_code == 404
    assert fetch(Workshop, id=rich.id)[0].status == "closed"
    assert len(fetch(Workshop, owner_id=other_user.id)) == 0


def test_the_empty_dashboard_says_what_to_do(web, user):
    assert log_in(web).status_code == 302
    page = web.get("/workshops?lang=en").get_data(as_text=True)
    assert "No workshops yet." in page and 'href="#new"' in page
    archived = web.get("/workshops?show=archived&lang=en").get_data(as_text=True)
    assert "No archived workshops." in archived


def test_settings_form_changes_the_workshop_and_asks_the_new_question(web, rich):
    assert log_in(web).status_code == 302
    csrf = csrf_of(web)
    data = {
        "csrf_token": csrf,
        "title": "Trafik i byen",
        "prompt": "Hvad skal ændres?",
        "description": "Ny beskrivelse",
        "language": "da",
        "max_input_length": "500",
        "place": "Biblioteket",
        "held_on": "2026-06-02",
    }
    response = web.post(f"/workshops/{rich.id}/settings", data=data)
    assert response.status_code == 302
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="settings-saved"' in page
    w = fetch(Workshop, id=rich.id)[0]
    assert (w.title, w.description, w.language, w.max_input_length, w.named_inputs, w.place, w.held_on) == (
        "Trafik i byen", "Ny beskrivelse", "da", 500, False, "Biblioteket", "2026-06-02"
    )
    active = [p.text for p in fetch(Prompt, workshop_id=rich.id) if p.active]
    assert active == ["Hvad skal ændres?"]
    # Saving again with the same question does not ask it twice.
    web.post(f"/workshops/{rich.id}/settings", data=data)
    assert len(fetch(Prompt, workshop_id=rich.id)) == 3


@pytest.mark.parametrize(
    "field, value",
    [("title", "   "), ("max_input_length", "0"), ("max_input_length", "many"), ("language", "fr"), ("held_on", "2026-06-02-x")],
)
def test_bad_settings_are_refused_with_a_message_and_the_typed_values_kept(web, rich, field, value):
    assert log_in(web).status_code == 302
    csrf = csrf_of(web)
    data = {"csrf_token": csrf, "title": "Nyt navn", "prompt": "Nyt spørgsmål", "description": "Typed text",
            "language": "en", "max_input_length": "300", "place": "", "held_on": ""}
    data[field] = value
    before = fetch(Workshop, id=rich.id)[0]
    response = web.post(f"/workshops/{rich.id}/settings?lang=en", data=data)
    assert 400 <= response.status_code < 500
    page = response.get_data(as_text=True)
    assert 'id="settings-error"' in page and 'role="alert"' in page
    assert "Typed text" in page
    after = fetch(Workshop, id=rich.id)[0]
    assert (after.title, after.description, after.max_input_length, after.seq) == (
        before.title, before.description, before.max_input_length, before.seq
    )
    assert [p.text for p in fetch(Prompt, workshop_id=rich.id) if p.active] == ["Andet spørgsmål"]


def test_a_refused_question_leaves_the_settings_of_the_same_form_unsaved(web, rich):
    """Settings, offered themes and the question are one write: all of it is stored, or none."""
    assert log_in(web).status_code == 302
    csrf = csrf_of(web)
    themes = fetch(Theme, workshop_id=rich.id)
    data = {"csrf_token": csrf, "title": "Nyt navn", "prompt": "Two lines\nin one question", "description": "Typed text",
            "language": "en", "max_input_length": "300", "place": "", "held_on": "",
            "offer_form": "1", "offered": [str(themes[0].id)]}
    before = fetch(Workshop, id=rich.id)[0]
    response = web.post(f"/workshops/{rich.id}/settings?lang=en", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="settings-error"' in page and "Typed text" in page
    after = fetch(Workshop, id=rich.id)[0]
    assert (after.title, after.description, after.seq) == (before.title, before.description, before.seq)
    assert [t.offered for t in fetch(Theme, workshop_id=rich.id)] == [t.offered for t in themes]


def test_error_pages_have_a_title_a_heading_and_a_way_on_in_both_languages(web, user, app):
    @app.get("/test-boom")  # registered before the app's first request
    def boom():
        raise RuntimeError("boom")

    for lang in ("en", "da"):
        response = web.get(f"/no/such/page?lang={lang}")
        page = response.get_data(as_text=True)
        assert response.status_code == 404
        assert f'<html lang="{lang}">' in page
        assert 'id="error-heading"' in page and title_of(page).endswith("Facilitator")
        assert 'href="/j"' in page
    # The Danish wording is the catalogue's (tests/test_i18n.py holds it complete).
    assert title_of(web.get("/no/such/page?lang=en").get_data(as_text=True)).startswith("Page not found")

    # 403: a form post without its CSRF token.
    response = web.post("/workshops?lang=en", data={"title": "x"})
    assert response.status_code == 403
    assert title_of(response.get_data(as_text=True)).startswith("No access")

    # 500: an unexpected exception gets the friendly page, not a traceback.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = web.get("/test-boom?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert title_of(page).startswith("Something went wrong") and "RuntimeError" not in page


def test_accessibility_statement_in_both_languages_linked_from_every_page(web, user):
    for lang in ("en", "da"):
        response = web.get(f"/accessibility?lang={lang}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in page
        for part in ("tested-axe", "tested-keyboard", "tested-screen-reader", "tested-zoom", "gaps", "contact-line"):
            assert f'id="{part}"' in page
        assert "4.14.1" in page
    english = web.get("/accessibility?lang=en").get_data(as_text=True)
    assert "WCAG 2.2" in english and "Accessibility statement" in title_of(english)
    for path in ("/", "/j", "/login"):
        assert 'href="/accessibility"' in web.get(path).get_data(as_text=True)
