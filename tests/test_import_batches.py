"""A big import goes in short batches: phones of other workshops post meanwhile; all or nothing."""

from __future__ import annotations

import io
import json
import threading
import time

import pytest
from sqlalchemy import func, select

from conftest import csrf_of, log_in, send, sqlite_only
from facilitator import services
from facilitator.db import database
from facilitator.errors import ServiceError
from facilitator.models import Event, Input, Workshop
from facilitator.services.importer import progress

TOTAL = 6000


def export_of(count: int, bad_last: bool = False) -> dict:
    items = [{"text": f"Papirinput nummer {n}"} for n in range(count)]
    if bad_last:
        items[-1] = {"text": "   "}
    return {
        "format": "facilitator-export",
        "version": 1,
        "workshop": {"title": "Papirinput fra byrådssalen", "language": "da"},
        "themes": [{"title": "Trafik", "summary": "", "inputs": items[: count // 3]}],
        "unsorted": items[count // 3 :],
    }


def _workshops(title: str) -> list[Workshop]:
    with database().reader() as s:
        return list(s.execute(select(Workshop).where(Workshop.title == title)).scalars())


@sqlite_only
@pytest.mark.slow
def test_a_phone_of_another_workshop_posts_while_a_big_upload_is_imported(app, client, user):
    app.config["IMPORT_BATCH_SIZE"] = 25  # many short batches: the import is still running when the tab looks
    room = services.create_workshop(user.id, "Rummet ved siden af", language="da")
    services.set_status(room.id, "open")
    log_in(client)
    csrf = csrf_of(client)
    raw = json.dumps(export_of(TOTAL)).encode()
    answers = {}

    def upload():
        answers["upload"] = client.post(
            "/workshops/import", data={"csrf_token": csrf, "file": (io.BytesIO(raw), "export.json")},
            content_type="multipart/form-data",
        )

    viewer = app.test_client()  # a second tab (the first one waits for its upload), logged in beforehand
    log_in(viewer)
    uploader = threading.Thread(target=upload)
    uploader.start()
    deadline = time.monotonic() + 120
    while True:  # until the import has stored its first batch
        found = _workshops("Papirinput fra byrådssalen")
        seen = progress(found[0].id) if found else None
        if seen and seen[0] > 0:
            imported_id = found[0].id
            break
        assert time.monotonic() < deadline and uploader.is_alive(), "the import never started storing"
        time.sleep(0.01)
    # The dashboard shows how far it got.
    page = viewer.get("/workshops").get_data(as_text=True)
    assert "Importerer:" in page and f"af {TOTAL} input" in page, page[page.find("<main"):][:3000]
    phone = app.test_client()
    answer = send(phone, room.join_code, "Midt i importen")
    assert answer.status_code == 201, answer.json
    # Stored before the import ended: the post waited for one batch, not for the whole file.
    during = progress(imported_id)
    assert during is not None and during[0] < TOTAL
    with database().reader() as s:
        assert s.get(Workshop, imported_id).status == "importing"
    # Nobody can open or change a workshop that is still being imported.
    with pytest.raises(ServiceError, match="conflict"):
        services.set_status(imported_id, "open")
    with pytest.raises(ServiceError, match="conflict"):
        services.create_theme(imported_id, "Midt i importen")
    uploader.join(300)
    assert answers["upload"].status_code == 302
    with database().reader() as s:
        done = s.get(Workshop, imported_id)
        assert done.status == "closed" and done.closed_at is not None
        count = s.execute(select(func.count(Input.id)).where(Input.workshop_id == imported_id)).scalar_one()
        created = s.execute(
            select(func.count(Event.id)).where(Event.workshop_id == imported_id, Event.type == "input.created")
        ).scalar_one()
        seqs = list(s.execute(select(Event.seq).where(Event.workshop_id == imported_id).order_by(Event.seq)).scalars())
    assert count == created == TOTAL
    assert seqs == list(range(1, len(seqs) + 1))  # one unbroken event log
    assert progress(imported_id) is None


def test_an_import_is_capped_and_all_or_nothing(app, client, user):
    app.config["IMPORT_MAX_INPUTS"] = 50
    log_in(client)
    csrf = csrf_of(client)

    def upload(data):
        return client.post(
            "/workshops/import",
            data={"csrf_token": csrf, "file": (io.BytesIO(json.dumps(data).encode()), "export.json")},
            content_type="multipart/form-data", headers={"Accept-Language": "da"},
        )

    too_big = upload(export_of(51))
    assert too_big.status_code == 413
    assert "51" in too_big.get_data(as_text=True) and "50" in too_big.get_data(as_text=True)
    # The last input is empty: refused before anything is written.
    bad = upload(export_of(50, bad_last=True))
    assert bad.status_code == 400
    assert _workshops("Papirinput fra byrådssalen") == []
    good = upload(export_of(50))
    assert good.status_code == 302
    assert [w.status for w in _workshops("Papirinput fra byrådssalen")] == ["closed"]
