"""The wheel is the whole product: docs/deploy's commands, run word for word outside the checkout."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from conftest import log_in_over_http
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy" / "README.md"

pytestmark = pytest.mark.slow


def deploy_commands() -> list[str]:
    """The command lines of docs/deploy/README.md's install block, comments left out."""
    text = DEPLOY.read_text(encoding="utf-8")
    block = re.search(r"<!-- wheel-install -->\n```sh\n(.*?)```\n<!-- /wheel-install -->", text, re.S)
    assert block, "docs/deploy/README.md lacks its wheel-install block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_the_install_block_builds_installs_and_serves(tmp_path):
    places = {
        "/path/to/facilitator": str(ROOT),
        "/tmp/facilitator-dist": str(tmp_path / "dist"),
        "/opt/facilitator": str(tmp_path / "opt"),
        "/var/lib/facilitator": str(tmp_path / "var"),
    }
    # The installed product must not see the checkout: no PYTHONPATH, another working directory.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "FACILITATOR_", "VIRTUAL_ENV"))}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    work = tmp_path / "elsewhere"
    work.mkdir()
    commands = deploy_commands()
    serve = commands.pop()
    assert serve.split()[1:3] == ["serve", "--host"], "the block ends with the serve command"
    outputs = {}
    for line in commands:
        for old, new in places.items():
            line = line.replace(old, new)
        words = shlex.split(line)
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            env[name] = value
            continue
        if words[0] == "python3":
            words[0] = _system_python()
        result = subprocess.run(words, cwd=work, env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        outputs[Path(words[0]).name + " " + " ".join(words[1:2])] = result.stdout + result.stderr
    bin_dir = tmp_path / "opt" / ".venv" / "bin"
    python = bin_dir / "python"
    located = subprocess.run(
        [str(python), "-c", "import facilitator, sys; print(facilitator.__file__)"], cwd=work, env=env,
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert located.startswith(str(tmp_path / "opt")), located
    init_output = outputs["facilitator init"]
    email = re.search(r"email:\s+(\S+)", init_output).group(1)
    password = re.search(r"password:\s+(\S+)", init_output).group(1)
    assert (tmp_path / "var" / "facilitator.sqlite3").exists()
    assert "environment FACILITATOR_INSTANCE_PATH" in outputs["facilitator config"]

    port = free_port()
    for old, new in places.items():
        serve = serve.replace(old, new)
    words = shlex.split(serve.replace("--port 5001", f"--port {port}"))
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen(words, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, server, tmp_path / "serve.log")
        _walk_the_product(base, email, password, bin_dir, work, env, tmp_path)
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text(errors="replace")


def _system_python() -> str:
    """The Python that builds the wheel: this one's base interpreter (outside every venv)."""
    return str(Path(sys.base_prefix) / "bin" / "python3")


def _wait_until_up(base: str, server, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text(errors="replace")
        try:
            if requests.get(base + "/login", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise AssertionError("serve did not answer within 60 s:\n" + log.read_text(errors="replace"))


def _walk_the_product(base, email, password, bin_dir, work, env, tmp_path) -> None:
    web = requests.Session()
    login_page = web.get(base + "/login")
    assert login_page.status_code == 200 and "<form" in login_page.text
    css = web.get(base + re.search(r'href="(/static/[^"]+/css/app\.css)"', login_page.text).group(1))
    assert css.status_code == 200 and "{" in css.text
    assert "immutable" in css.headers["Cache-Control"]
    logged_in = log_in_over_http(web, base, email, password)
    assert logged_in.status_code == 200 and logged_in.url.endswith("/workshops")
    workshop_id = int(re.search(r'href="/workshops/(\d+)"', logged_in.text).group(1))
    snapshot = web.get(f"{base}/api/v1/workshops/{workshop_id}").json()
    code = snapshot["workshop"]["join_code"]
    assert len(snapshot["inputs"]) == 117
    assert web.get(f"{base}/workshops/{workshop_id}/wall").status_code == 200
    projector = snapshot["projector_url"]
    assert projector.startswith("https://workshop.example.dk/p/")  # the configured public address
    assert web.get(projector.replace("https://workshop.example.dk", base)).status_code == 200

    phone = requests.Session()
    page = phone.get(f"{base}/j/{code}")
    assert page.status_code == 200 and "<textarea" in page.text
    posted = phone.post(f"{base}/api/v1/join/{code}/inputs",
                        json={"text": "Sendt fra en telefon", "client_key": str(uuid.uuid4())})
    assert posted.status_code == 201, posted.text

    for fmt in ("md", "txt", "html", "csv", "xlsx", "json"):
        answer = web.get(f"{base}/api/v1/workshops/{workshop_id}/export.{fmt}")
        assert answer.status_code == 200 and answer.content, fmt
    docx = web.get(f"{base}/api/v1/workshops/{workshop_id}/export.docx?variant=report")
    assert docx.status_code == 200
    path = tmp_path / "report.docx"
    path.write_bytes(docx.content)
    verdict = subprocess.run([str(bin_dir / "facilitator"), "verify", str(path)], cwd=work, env=env,
                             capture_output=True, text=True, timeout=120)
    assert verdict.returncode == 0 and verdict.stdout.startswith("OK:"), verdict.stdout + verdict.stderr
    # The PDF export too: WeasyPrint's fonts and Pango come from the system, not the checkout.
    pdf = web.get(f"{base}/api/v1/workshops/{workshop_id}/export.pdf?variant=report")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-"), pdf.text[:300]
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    verdict = subprocess.run([str(bin_dir / "facilitator"), "verify", str(path)], cwd=work, env=env,
                             capture_output=True, text=True, timeout=120)
    assert verdict.returncode == 0 and verdict.stdout.startswith("OK:"), verdict.stdout + verdict.stderr
