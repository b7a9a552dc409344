"""A tiny run of the real benchmark command, so it keeps working: correctness only, never speed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bench(tmp_path, *args: str) -> dict:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--json", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"JSON: {out}" in done.stdout
    return json.loads(out.read_text())


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_every_target_acknowledges_and_delivers_every_input_exactly_once(tmp_path):
    document = _bench(tmp_path, "--scenario", "steady", "--target", "ours-sqlite", "--target", "ours-pg", "--target", "relay")
    document["results"] += _bench(tmp_path, "--scenario", "restart", "--target", "ours-sqlite")["results"]
    runs = {(r["scenario"]["name"], r["target"]) for r in document["results"]}
    assert runs == {("steady", "ours-sqlite"), ("steady", "ours-pg"), ("steady", "relay"), ("restart", "ours-sqlite")}
    for result in document["results"]:
        scenario = result["scenario"]
        expected = int(scenario["rate"] * scenario["duration"])
        assert result["inputs_sent"] == expected
        assert result["inputs_acknowledged"] == expected, result["failures_sample"]
        assert result["lost"] == 0 and result["duplicated"] == 0
        # Every wall showed every input once.
        assert result["deliveries"] == expected * scenario["walls"]
        assert result["phones_connected_at_end"] == scenario["phones"]
        # Phones get their state, never other people's inputs.
        assert result["phone_messages_other_than_state"] == 0
        assert result["server_cpu_seconds"] > 0 and result["peak_rss_mb"] > 0
        if scenario["kill_at"] is not None:
            restart = result["restart"]
            assert restart["acknowledged_lost"] == 0
            assert restart["clients_not_back"] == 0
            assert restart["all_clients_back_seconds"] is not None


@pytest.mark.browser
@pytest.mark.slow
def test_the_wall_renders_every_card_and_every_export_lists_every_input(tmp_path):
    extra = _bench(tmp_path, "--scenario", "wall")["extra"]
    assert extra["wall_render"]["cards_seen"] == extra["wall_render"]["cards"] == 50
    # Through the slow link every card arrives too, and the page's own request alone costs a round trip.
    slow = extra["wall_render_slow_link"]
    assert slow["cards_seen"] == 50 and slow["rtt_ms"] == 100 and slow["interactive_ms"] > 100
    move = extra["move_on_wall"]
    assert move["cards"] == 50 and move["moves"] == 3 and 0 < move["shown_ms_median"] <= move["shown_ms_worst"]
    # Counted from the event's arrival, the move takes part of the time from its request.
    assert 0 <= move["after_event_ms_median"] <= move["after_event_ms_worst"] <= move["shown_ms_worst"]
    formats = extra["exports"]["formats"]
    assert set(formats) == {"docx", "md", "txt", "html", "pdf", "csv", "xlsx", "json"}
    assert formats["pdf"]["inputs"] == 50 and formats["docx"]["inputs"] == 200
    for fmt, export in formats.items():
        assert export["seconds"] > 0 and export["bytes"] > 0, fmt
        if fmt != "html":
            assert export["inputs_read_back"] == export["inputs"], fmt


@pytest.mark.slow
def test_limits_turn_the_apps_rate_limits_on_with_the_one_address_rules_widened():
    """--limits: a phone's own limit (20/minute, as served) refuses its 21st post; without it nothing does."""
    import requests

    from bench import targets

    refused = {}
    for limits in (False, True):
        target = targets.start("ours-sqlite", threads=20, limits=limits)
        try:
            phone = requests.Session()
            base = f"{target.urls[0]}/api/v1/join/{target.code}"
            phone.get(base, timeout=30).raise_for_status()
            statuses = [
                phone.post(f"{base}/inputs", json={"text": f"n{n}", "client_key": f"limits-{n:04d}"}, timeout=30).status_code
                for n in range(21)
            ]
        finally:
            target.stop()
        assert statuses[:20] == [201] * 20
        refused[limits] = statuses[20]
    assert refused == {False: 201, True: 429}


@pytest.mark.slow
def test_venv_serves_from_the_venv_it_names_and_refuses_one_without_the_app(tmp_path):
    """--venv: the servers run with that venv's Python and `facilitator`; a folder without them is refused by name."""
    # This venv under another name, so that the default (this interpreter's folder) cannot pass for it.
    venv = tmp_path / "other-venv"
    venv.mkdir()
    for part in ("bin", "lib", "pyvenv.cfg"):
        (venv / part).symlink_to(Path(sys.prefix) / part)
    document = _bench(tmp_path, "--scenario", "steady", "--target", "relay", "--venv", str(venv))
    assert document["servers_from"] == str(venv / "bin")
    assert document["results"][0]["inputs_acknowledged"] == document["results"][0]["inputs_sent"]
    refused = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--venv", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0
    assert f"{tmp_path}: no bin/facilitator" in refused.stderr


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_pg_processes_sets_how_many_app_processes_share_postgresql(tmp_path):
    document = _bench(tmp_path, "--scenario", "steady", "--target", "ours-pg", "--pg-processes", "1")
    (result,) = document["results"]
    assert result["processes"] == 1
    assert result["inputs_acknowledged"] == result["inputs_sent"] and result["lost"] == 0


@pytest.mark.parametrize("count", ["0", "-1", "two"])
def test_pg_processes_below_one_is_refused_by_name(count):
    refused = subprocess.run(
        [sys.executable, "-m", "bench", "--pg-processes", count], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2
    assert f"--pg-processes: {count!r} is not a number of processes (1 or more)" in refused.stderr


@pytest.mark.parametrize(
    "flags, database", [([], "sqlite"), pytest.param(["--postgresql"], "postgresql", marks=[pytest.mark.postgres, pytest.mark.redis])]
)
def test_profile_post_measures_the_post_path_on_the_database_asked_for(flags, database):
    done = subprocess.run(
        [sys.executable, "-m", "bench.profile_post", "--posts", "20", *flags], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    cpu = re.search(r"CPU per post, without the profiler: ([0-9.]+) ms \(20 posts, (\w+)\)", done.stdout)
    assert cpu and float(cpu.group(1)) > 0 and cpu.group(2) == database, done.stdout
    shares = dict(re.findall(r"^\| (.+?) \| (\d+) % \|$", done.stdout, re.M))
    assert int(shares["services.submit_input (the unit of work)"]) > 0
