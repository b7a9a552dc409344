"""Phone keys the server issues, the per-workshop cap, and the in-memory limiter's store."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event

from conftest import send
from facilitator import extensions, phone_keys, services
from facilitator.ratelimit import MemoryStore, RedisStore


@pytest.fixture
def open_workshop(user):
    w = services.create_workshop(user.id, "Plenum", language="da")
    services.set_status(w.id, "open")
    return w


def test_a_made_up_key_per_post_shares_one_bucket(limited, open_workshop):
    app = limited(RATELIMIT_PHONE="3/minute")
    code = open_workshop.join_code
    statuses = []
    for n in range(4):
        phone = app.test_client()
        if n % 2:
            phone.set_cookie("phone", uuid.uuid4().hex)
        else:
            phone.environ_base["HTTP_X_PHONE_KEY"] = f"phone-{n}"
        statuses.append(send(phone, code, f"n{n}").status_code)
    assert statuses == [201, 201, 201, 429]
    # A key the server signed, then altered, is no better.
    with app.app_context():
        issued = phone_keys.issue()
    forged = app.test_client()
    forged.set_cookie("phone", issued[:-2] + ("AA" if not issued.endswith("AA") else "BB"))
    assert send(forged, code, "forged").status_code == 429
    # A phone that got its key from the server has a bucket of its own.
    real = app.test_client()
    assert real.get(f"/j/{code}").status_code == 200
    assert send(real, code, "real").status_code == 201


def test_api_clients_get_a_key_and_send_it_as_a_header(limited, open_workshop):
    app = limited(RATELIMIT_PHONE="2/minute")
    code = open_workshop.join_code
    keys = []
    for _ in range(2):
        answer = app.test_client().get(f"/api/v1/join/{code}")
        assert answer.status_code == 200
        assert phone_keys.COOKIE + "=" + answer.json["phone_key"] in answer.headers["Set-Cookie"]
        keys.append(answer.json["phone_key"])
    assert keys[0] != keys[1]
    for key in keys:
        client = app.test_client(use_cookies=False)
        headers = {"X-Phone-Key": key}
        statuses = [
            client.post(f"/api/v1/join/{code}/inputs", json={"text": f"t{n}", "client_key": uuid.uuid4().hex}, headers=headers).status_code
            for n in range(3)
        ]
        assert statuses == [201, 201, 429]
    # A phone that already holds a key keeps it.
    phone = app.test_client()
    first = phone.get(f"/api/v1/join/{code}").json["phone_key"]
    again = phone.get(f"/api/v1/join/{code}")
    assert again.json["phone_key"] == first
    assert "phone=" not in again.headers.get("Set-Cookie", "")


def test_a_post_over_the_workshop_cap_is_refused_before_it_waits_for_the_lock(limited, open_workshop):
    """Once this process knows the workshop of a code, its cap answers before the unit of work locks the workshop."""
    app = limited(RATELIMIT_WORKSHOP="2/minute")
    code = open_workshop.join_code
    phone = app.test_client()
    phone.get(f"/api/v1/join/{code}")
    assert [send(phone, code, f"n{n}").status_code for n in range(2)] == [201, 201]
    database = extensions.database(app)
    begun: list[object] = []

    def note(connection):
        begun.append(connection)

    engines = (database.engine, database.write_engine)
    for engine in engines:
        event.listen(engine, "begin", note)
    try:
        refused = send(phone, code, "one too many")
    finally:
        for engine in engines:
            event.remove(engine, "begin", note)
    assert refused.status_code == 429 and refused.json["error"]["code"] == "workshop_busy"
    assert "telefon" in refused.json["error"]["message"]  # the workshop's language, as last seen for its code
    assert begun == []


def test_the_workshop_cap_bounds_any_mix_of_phones(limited, user, open_workshop):
    app = limited(RATELIMIT_WORKSHOP="3/minute")
    code = open_workshop.join_code
    answers = []
    for n in range(4):
        phone = app.test_client()
        phone.get(f"/api/v1/join/{code}")
        answers.append(send(phone, code, f"n{n}"))
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    refused = answers[-1]
    assert refused.json["error"]["code"] == "workshop_busy"
    assert refused.headers["Retry-After"].isdigit()
    assert "telefon" in refused.json["error"]["message"]  # the workshop's language (Danish)
    # Another workshop is not held up by this one's crowd.
    with app.app_context():
        other = services.create_workshop(user.id, "Andet rum", language="da")
        services.set_status(other.id, "open")
    assert send(app.test_client(), other.join_code, "her").status_code == 201


def test_the_memory_store_expires_in_time_order_and_stays_bounded(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("facilitator.ratelimit.time.monotonic", lambda: now[0])
    store = MemoryStore(max_keys=1000)
    for n in range(1000):
        assert store.hit(f"k{n}", 60) == (1, 60.0)
    assert store.hit("k0", 60) == (2, 60.0)
    assert store.hit("long", 3600) == (1, 3600.0)  # full: the key closest to its reset made room
    assert len(store) == 1000
    assert store.count("k0", 60) == (0, 0.0)  # it was k0, whose window started first
    now[0] += 61
    assert store.hit("fresh", 60) == (1, 60.0)
    assert len(store) == 2  # every expired window went, in one pass from the front
    assert store.count("long", 3600) == (1, 3600.0 - 61)


@pytest.mark.parametrize("kind", ["memory", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_refused_rule_leaves_the_rules_after_it_uncounted(kind):
    """One round trip for a post's limits, in order: a post its address is refused does not count against its workshop."""
    store = MemoryStore() if kind == "memory" else RedisStore("redis://127.0.0.1:6379/0")
    tag = uuid.uuid4().hex
    address, workshop = f"test:{tag}:address", f"test:{tag}:workshop"
    rules = [(address, 60, 2), (workshop, 60, 100)]
    assert [store.hit_each(rules) for _ in range(2)] == [None, None]
    index, reset_in = store.hit_each(rules)
    assert index == 0 and 59 < reset_in <= 60
    assert store.count(address, 60)[0] == 3 and store.count(workshop, 60)[0] == 2
    assert store.hit_each([(workshop, 60, 2)]) == (0, pytest.approx(reset_in, abs=1))
