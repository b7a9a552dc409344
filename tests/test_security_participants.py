"""Participants: join codes admit to posting only, locking stops new phones, guessing codes does not pay."""

from __future__ import annotations

import pytest
import socketio

from conftest import csrf_of, log_in, make_app, send
from facilitator import extensions, phone_keys, services
from facilitator.ratelimit import parse
from facilitator.services.workshops import JOIN_ALPHABET, JOIN_CODE_LENGTH

# What the README's arithmetic assumes: many workshops open at the same moment across the
# whole installation, and a long workshop day.
OPEN_WORKSHOPS = 100
WORKSHOP_HOURS = 8


@pytest.fixture
def open_workshop(user):
    w = services.create_workshop(user.id, "Locked room", prompt="Q?")
    services.set_status(w.id, "open")
    return w


def phone(app):
    """A phone: its own cookie jar, as a browser would have."""
    client = app.test_client()
    with app.app_context():
        client.set_cookie("phone", phone_keys.issue())  # as the phone page would set it
    return client


def test_a_locked_workshop_takes_inputs_only_from_phones_that_had_joined(app, open_workshop, token):
    code = open_workshop.join_code
    early_js, early_form, late = phone(app), phone(app), phone(app)
    assert early_js.get(f"/api/v1/join/{code}").status_code == 200  # the JS page asks for the state first
    assert early_form.get(f"/j/{code}").status_code == 200  # the no-JS page
    assert send(early_js, code, "before the lock").status_code == 201

    api = app.test_client()
    answer = api.patch(
        f"/api/v1/workshops/{open_workshop.id}", json={"settings": {"locked": True}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200 and answer.json["settings"]["locked"] is True

    assert send(early_js, code, "after the lock, joined before").status_code == 201
    form = early_form.get(f"/j/{code}").text
    client_key = form.split('name="client_key" value="', 1)[1].split('"', 1)[0]
    posted = early_form.post(
        f"/j/{code}", data={"text": "form phone after the lock", "client_key": client_key, "csrf_token": csrf_of(early_form)}
    )
    assert posted.status_code == 302

    late.get(f"/j/{code}")  # opening the page after the lock admits nothing
    refused = send(late, code, "a newcomer", key="late-phone-key-0001")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "locked"
    assert refused.json["error"]["message"]
    refused_form = late.post(
        f"/j/{code}", data={"text": "newcomer by form", "client_key": "late-form-key-0001", "csrf_token": csrf_of(late)}
    )
    assert refused_form.status_code == 409 and "newcomer by form" in refused_form.text  # the text is kept

    # A repeat of an input stored before the lock is still answered (its receipt may have been lost).
    stored = send(early_js, code, "before the lock", key="same-key-0000001")
    assert stored.status_code == 201
    app.config["RATELIMIT_ENABLED"] = False
    assert send(phone(app), code, "before the lock", key="same-key-0000001").status_code == 200

    api.patch(f"/api/v1/workshops/{open_workshop.id}", json={"settings": {"locked": False}},
              headers={"Authorization": f"Bearer {token}"})
    assert send(late, code, "a newcomer", key="late-phone-key-0001").status_code == 201


def test_the_lock_button_on_the_workshop_page(app, open_workshop):
    facilitator = app.test_client()
    log_in(facilitator)
    page = facilitator.get(f"/workshops/{open_workshop.id}").text
    assert 'id="lock-button"' in page and 'name="locked" value="1"' in page
    facilitator.post(f"/workshops/{open_workshop.id}/lock", data={"locked": "1", "csrf_token": csrf_of(facilitator)})
    assert 'name="locked" value="0"' in facilitator.get(f"/workshops/{open_workshop.id}").text
    assert send(phone(app), open_workshop.join_code, "too late").json["error"]["code"] == "locked"


def limited_app(database_url, tmp_path, **rules):
    return make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True, **rules)


def test_posting_is_rate_limited_per_phone_and_per_address(database_url, tmp_path, user):
    app = limited_app(database_url, tmp_path, RATELIMIT_PHONE="2/minute", RATELIMIT_ADDRESS="5/minute")
    try:
        with app.app_context():
            w = services.create_workshop(user.id, "Posting")
            services.set_status(w.id, "open")
            one = phone(app)
            assert [send(one, w.join_code, f"n{n}").status_code for n in range(3)] == [201, 201, 429]
            others = [send(phone(app), w.join_code, f"o{n}").status_code for n in range(3)]
            assert others == [201, 201, 429]  # five from this address in the window, whatever the phone
            refused = send(phone(app), w.join_code, "again")
            assert refused.json["error"]["code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1
    finally:
        extensions.database(app).dispose()


def test_joining_is_rate_limited_per_address(database_url, tmp_path, user):
    app = limited_app(database_url, tmp_path, RATELIMIT_JOIN_ADDRESS="3/minute")
    try:
        with app.app_context():
            w = services.create_workshop(user.id, "Joining")
            statuses = [phone(app).get(f"/j/{w.join_code}").status_code for _ in range(3)]
            statuses.append(phone(app).get(f"/api/v1/join/{w.join_code}").status_code)
            assert statuses == [200, 200, 200, 429]
    finally:
        extensions.database(app).dispose()


def test_wrong_codes_stop_every_answer_about_codes_but_not_phones_already_in(database_url, tmp_path, user):
    """Past the miss limit an address learns nothing, not even that a right code exists."""
    app = limited_app(database_url, tmp_path, RATELIMIT_JOIN_MISS_ADDRESS="3/minute")
    try:
        with app.app_context():
            w = services.create_workshop(user.id, "Guess me")
            services.set_status(w.id, "open")
            inside = phone(app)
            assert inside.get(f"/j/{w.join_code}").status_code == 200  # admitted before the guessing
            guesser = phone(app)
            guesser.get("/login")  # any page that hands out a CSRF token, so the form post below is well-formed
            misses = [guesser.get(f"/api/v1/join/{code}").status_code for code in ("AAAAAA", "BBBBBB", "CCCCCC")]
            assert misses == [404, 404, 404]
            # Every door now answers 429 for this address, for right and wrong codes alike.
            assert guesser.get(f"/api/v1/join/{w.join_code}").status_code == 429
            assert guesser.get(f"/j/{w.join_code}").status_code == 429
            assert send(guesser, w.join_code, "hit?").status_code == 429
            assert send(guesser, "DDDDDD", "miss?").status_code == 429
            form = {"text": "x", "client_key": "guess-key-0001", "csrf_token": csrf_of(guesser)}
            assert guesser.post(f"/j/{w.join_code}", data=form).status_code == 429
            # The venue's phones that are already in keep sending.
            assert send(inside, w.join_code, "still here").status_code == 201
    finally:
        extensions.database(app).dispose()


def test_a_participant_socket_is_a_guess_like_any_other(database_url, tmp_path, user):
    from conftest import LiveServer

    app = limited_app(database_url, tmp_path, RATELIMIT_JOIN_MISS_ADDRESS="2/minute")
    server = None
    try:
        with app.app_context():
            w = services.create_workshop(user.id, "Socket guess")
            server = LiveServer(app).start()

            def connects(code: str) -> bool:
                client = socketio.Client(reconnection=False)
                try:
                    client.connect(server.url, auth={"role": "participant", "code": code}, transports=["websocket"], wait_timeout=5)
                except socketio.exceptions.ConnectionError:
                    return False
                client.disconnect()
                return True

            assert [connects("ZZZZZZ"), connects("YYYYYY")] == [False, False]
            assert connects(w.join_code) is False  # over the limit: no answer, right code or not
    finally:
        if server:
            server.stop()
        extensions.database(app).dispose()


@pytest.mark.parametrize(
    "typed",
    [
        "{code_fullwidth}",  # a phone keyboard in CJK mode
        "\u200b{code}\u200b",  # zero-width spaces pasted with the code
        "\u202e{code}",  # a right-to-left override
        " {code_lower} ",
    ],
)
def test_codes_are_folded_as_people_type_them(client, open_workshop, typed):
    code = open_workshop.join_code
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    text = typed.format(code=code, code_fullwidth=fullwidth, code_lower=code.lower())
    assert send(client, text, "folded").status_code == 201


def test_guessing_codes_takes_longer_than_a_workshop_lasts(app):
    """The README's arithmetic, from the configured limits (see README, 'Guessing join codes')."""
    codes = len(JOIN_ALPHABET) ** JOIN_CODE_LENGTH
    assert codes == 31**6 == 887_503_681
    misses, window = parse(app.config["RATELIMIT_JOIN_MISS_ADDRESS"])
    guesses_per_hour = misses * 3600 / window
    # With K workshops open, each guess hits with probability K / codes.
    expected_guesses = codes / OPEN_WORKSHOPS
    expected_hours = expected_guesses / guesses_per_hour
    chance_in_a_workshop = 1 - (1 - OPEN_WORKSHOPS / codes) ** (guesses_per_hour * WORKSHOP_HOURS)
    assert guesses_per_hour == 6000
    assert expected_hours > 1000  # about 1,479 hours, two months, for one address
    assert expected_hours > 100 * WORKSHOP_HOURS
    assert chance_in_a_workshop < 0.01  # about 0.54 % per address over a whole workshop day
    # The broad per-address join limit (a venue behind one NAT) would not be enough on its own.
    joins, join_window = parse(app.config["RATELIMIT_JOIN_ADDRESS"])
    assert (codes / OPEN_WORKSHOPS) / (joins * 3600 / join_window) < 100
