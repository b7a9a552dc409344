"""The console command: accounts, tokens, demo data, migrations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from facilitator.cli import main
from facilitator.db import database
from facilitator.models import Input, Theme, User, Workshop


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


def test_a_serving_process_starts_without_alembic_or_a_password_hash():
    """`facilitator serve` imports the CLI twice per start; neither import may pay for Alembic or argon2's hashing."""
    probe = (
        "import sys, facilitator.cli\n"
        "from facilitator.services import users\n"
        "print('alembic' in sys.modules, users._dummy_hash.cache_info().currsize)\n"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert answer.stdout.split() == ["False", "0"]
