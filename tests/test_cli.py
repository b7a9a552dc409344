"""The console command: accounts, tokens, demo data, migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from facilitator import migrate
from facilitator.cli import main
from facilitator.db import database
from facilitator.models import Input, Theme, User, Workshop

from support.servers import ServerProcess


def run(app, *args, input=None):
    result = CliRunner().invoke(main, list(args), obj=app, input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_user_create_and_token_create(app, client):
    run(app, "user", "create", "cli@example.org", "--admin", "--password", "a long password")
    with database().reader() as s:
        assert s.execute(select(User.is_admin).where(User.email == "cli@example.org")).scalar() is True
    token = run(app, "token", "create", "cli@example.org").strip()
    assert token.startswith("fac_") and len(token) > 40
    assert client.get("/api/v1/workshops/1", headers={"Authorization": f"Bearer {token}"}).status_code == 404


def test_user_create_refuses_a_short_password(app):
    result = CliRunner().invoke(main, ["user", "create", "x@example.org", "--password", "short"], obj=app)
    assert result.exit_code != 0


def test_demo_loads_the_reference_workshop(app, user):
    output = run(app, "demo", "--owner", "anna@example.org")
    assert "join code" in output
    with database().reader() as s:
        assert s.execute(select(func.count(Input.id))).scalar() == 117
        counts = [
            s.execute(select(func.count(Input.id)).where(Input.theme_id == t.id)).scalar()
            for t in s.execute(select(Theme).order_by(Theme.position)).scalars()
        ]
        assert counts == [18, 39, 40, 20]
        assert s.execute(select(Workshop.status)).scalar() == "open"


def test_init_creates_the_demo_account_once(app):
    first = run(app, "init")
    assert "password:" in first
    second = run(app, "init")
    assert "password:" not in second
    with database().reader() as s:
        assert s.execute(select(func.count(User.id))).scalar() == 1


def test_the_console_script_is_installed_and_answers(tmp_path):
    env = {"FACILITATOR_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    script = str(Path(sys.executable).with_name("facilitator"))
    result = subprocess.run([script, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "facilitator.sqlite3").exists()


def test_serve_runs_the_installed_app_whatever_folder_it_is_started_in(tmp_path):
    """gevent's serve starts again as `python -c`; a `facilitator` folder where it was started must not be what it serves."""
    start_here = tmp_path / "start-here"
    (start_here / "facilitator").mkdir(parents=True)
    (start_here / "facilitator" / "__init__.py").write_text("raise SystemExit('served the facilitator folder of the working directory')\n")
    url = f"sqlite:///{tmp_path / 'facilitator.sqlite3'}"
    migrate.upgrade(url)
    server = ServerProcess(url, tmp_path / "instance", tmp_path, threads=None, cwd=start_here).start()
    server.stop()
    assert "served the facilitator folder" not in server.log_tail()


def test_serve_starts_its_serving_process_before_it_imports_the_app(tmp_path):
    """A restart waits for one import of the app, in the serving process: `serve` reads only the settings first.

    In gevent mode the command replaces itself (os.execv) with a process that
    patches before anything else; the probe stops at that call and says what
    had been imported by then, and with which arguments the process would start.
    """
    probe = """
import os, sys
from facilitator.cli import main

def execv(path, argv):
    print(*[m in sys.modules for m in ("sqlalchemy.orm", "flask_socketio", "facilitator.models")], *argv[-4:])
    sys.stdout.flush()
    os._exit(0)

os.execv = execv
main(["serve", "--host", "127.0.0.1", "--port", "5999"])
"""
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SOCKETIO_MAX_PARTICIPANTS = 700\nSERVE_RESERVED_CONNECTIONS = 50\n")
    env = {**os.environ, "FACILITATOR_INSTANCE_PATH": str(instance), "FACILITATOR_SOCKETIO_ASYNC_MODE": "gevent"}
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert answer.returncode == 0, answer.stderr
    # The last: whether the settings give it anything that talks to Redis (see leave_redis_unloaded).
    assert answer.stdout.split() == ["False", "False", "False", "127.0.0.1", "5999", "750", "unused"]
    env["FACILITATOR_SOCKETIO_MESSAGE_QUEUE"] = "redis://127.0.0.1:6379/0"
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split()[-1] == "used"


def test_a_serving_process_starts_without_alembic_or_a_password_hash():
    """`facilitator serve` imports the CLI twice per start; neither import may pay for Alembic or argon2's hashing."""
    probe = (
        "import sys, facilitator.cli\n"
        "from facilitator.services import users\n"
        "print('alembic' in sys.modules, users._dummy_hash.cache_info().currsize)\n"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert answer.stdout.split() == ["False", "0"]


HEAVY = ("numpy", "openpyxl", "docx", "qrcode", "PIL", "lxml")


def test_a_serving_process_loads_the_export_and_suggestion_libraries_only_when_used(tmp_path):
    """About 70 MB per process that a plenary's phones and walls never need; the first export, suggestion or QR code loads them.

    openpyxl only reads spreadsheets of paper inputs: the XLSX export is written without it.

    Nor does a SQLite server load PostgreSQL's SQL dialect (2 MB). The database is
    made here: Alembic's migrations load every dialect, and a server does not migrate.
    """
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate.upgrade(url)
    probe = f"""
import io, re, sys
from facilitator import create_app
from facilitator.demo import load_demo
from facilitator.services import create_user

heavy = {HEAVY!r}
url = "{url}"
app = create_app({{"DATABASE_URL": url, "SECRET_KEY": "x", "PUBLIC_URL": "http://phones.example"}}, "{tmp_path / 'instance'}")
with app.app_context():
    owner = create_user("owner@example.org", "correct horse battery")
    workshop = load_demo(owner.id)
    code, workshop_id = workshop.join_code, workshop.id
client = app.test_client()
assert client.get(f"/j/{{code}}").status_code == 200
posted = client.post(f"/api/v1/join/{{code}}/inputs", json={{"text": "Kortere møder", "client_key": "probe-key-0001"}})
assert posted.status_code == 201, posted.get_data(as_text=True)
assert "sqlalchemy.dialects.postgresql" not in sys.modules, "a SQLite server loaded PostgreSQL's dialect"
print(*[m in sys.modules for m in heavy])
token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
form = {{"email": "owner@example.org", "password": "correct horse battery", "csrf_token": token}}
assert client.post("/login", data=form).status_code == 302
assert client.get(f"/api/v1/workshops/{{workshop_id}}/export.docx").status_code == 200
sheet = client.get(f"/api/v1/workshops/{{workshop_id}}/export.xlsx")
assert sheet.status_code == 200
assert client.get(f"/api/v1/workshops/{{workshop_id}}/suggestions").status_code == 200
assert client.get(f"/workshops/{{workshop_id}}/qr.svg").status_code == 200
print(*[m in sys.modules for m in heavy])
upload = {{"file": (io.BytesIO(sheet.data), "inputs.xlsx"), "import_key": "probe-import-0001"}}
token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/", follow_redirects=True).text).group(1)
imported = client.post(f"/api/v1/workshops/{{workshop_id}}/inputs/import", data=upload, headers={{"X-CSRF-Token": token}})
assert imported.status_code == 201, imported.get_data(as_text=True)
print(*[m in sys.modules for m in heavy])
"""
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert answer.returncode == 0, answer.stderr
    after_exports = " ".join(str(m != "openpyxl") for m in HEAVY)
    assert answer.stdout.splitlines() == [" ".join(["False"] * len(HEAVY)), after_exports, " ".join(["True"] * len(HEAVY))]
