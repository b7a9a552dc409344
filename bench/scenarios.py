"""Scenarios and one run of a scenario against one target: start, load, measure, check, stop."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from dataclasses import asdict, dataclass

from . import load, targets
from .measure import Sampler, percentile, system_cpu_seconds


@dataclass(frozen=True)
class Scenario:
    """How many phones and walls, how fast inputs come, and whether the server is killed midway."""

    name: str
    phones: int
    walls: int
    rate: float  # inputs per second
    duration: float  # seconds of sending
    kill_at: float | None = None  # seconds into the sending: SIGKILL the (first) server, start it again


FULL = {
    "steady": Scenario("steady", phones=1000, walls=5, rate=50, duration=20),
    "burst": Scenario("burst", phones=1000, walls=5, rate=200, duration=20),
    "plenary": Scenario("plenary", phones=3000, walls=5, rate=50, duration=20),
    "restart": Scenario("restart", phones=1000, walls=5, rate=200, duration=20, kill_at=8),
    # The same kill at the steady rate: recovery without the burst's overload.
    "restart-steady": Scenario("restart-steady", phones=1000, walls=5, rate=50, duration=20, kill_at=8),
}
QUICK = {
    "steady": Scenario("steady", phones=300, walls=3, rate=50, duration=8),
    "burst": Scenario("burst", phones=300, walls=3, rate=200, duration=8),
    "plenary": Scenario("plenary", phones=1000, walls=3, rate=50, duration=8),
    "restart": Scenario("restart", phones=300, walls=3, rate=100, duration=8, kill_at=3),
    "restart-steady": Scenario("restart-steady", phones=300, walls=3, rate=50, duration=8, kill_at=3),
}
SMOKE = {
    "steady": Scenario("steady", phones=10, walls=2, rate=20, duration=1.5),
    "restart": Scenario("restart", phones=10, walls=2, rate=20, duration=3, kill_at=1),
}

# How long a post keeps retrying after the sending ends (a real phone never stops; with
# participant.js's backoff of up to 30 s, 90 s allows several more attempts), and how
# long walls may then take to show everything.
GIVE_UP_AFTER = 90.0
DRAIN_TIMEOUT = 45.0


def run(
    kind: str, scenario: Scenario, async_mode: str = "threading", embedding: bool = False, limits: bool = False, pg_processes: int = 2,
) -> dict:
    """Run one scenario against a fresh target of this kind (embedding: with the embedding worker; limits: rate limits on); return its measurements."""
    per_process = -(-scenario.phones // (pg_processes if kind == "ours-pg" else 1))
    threads = per_process + scenario.walls + 200
    target = targets.start(kind, threads=threads, async_mode=async_mode, embedding=embedding, limits=limits, pg_processes=pg_processes)
    ctx = multiprocessing.get_context("spawn")
    cpus = targets.generator_cpus()
    processes = []
    try:
        walls_end, walls_child = ctx.Pipe()
        walls = ctx.Process(target=load.walls_main, args=(walls_child, target.urls, target.wall_auth(), scenario.walls, cpus))
        walls.start()
        processes.append(walls)
        _expect(walls_end, 120, "walls")
        phones_end, phones_child = ctx.Pipe()
        phones = ctx.Process(target=load.phones_main, args=(phones_child, target.urls, target.code, scenario.phones, cpus))
        phones.start()
        processes.append(phones)
        connect_seconds = _expect(phones_end, 300, "phones")["connect_seconds"]

        sampler = Sampler(target.pids).start()
        system_cpu_before = system_cpu_seconds()
        prefix = f"b{uuid.uuid4().hex[:8]}"
        phones_end.send(
            {
                "rate": scenario.rate,
                "duration": scenario.duration,
                "prefix": prefix,
                "give_up_after": GIVE_UP_AFTER,
                "reconnect_timeout": 60 if scenario.kill_at else 5,
            }
        )
        killed_at = restarted_in = None
        if scenario.kill_at is not None:
            time.sleep(scenario.kill_at)
            first = target.processes[0]
            killed_at = time.monotonic()
            first.kill()
            # A supervisor (systemd Restart=always) starts it again at once.
            first.start()
            first.wait_ready()
            restarted_in = time.monotonic() - killed_at
        sent = _expect(phones_end, scenario.duration + GIVE_UP_AFTER + 120, "phones' posts")
        acked = [a["text"] for a in sent["acks"]]
        walls_end.send({"texts": acked, "timeout": DRAIN_TIMEOUT})
        seen = _expect(walls_end, DRAIN_TIMEOUT + 60, "walls' deliveries")
        sampler.stop()
        system_cpu = system_cpu_seconds() - system_cpu_before
        stored = target.stored_texts()
        phones_end.send({"stop": True})
        walls_end.send({"stop": True})
    finally:
        for process in processes:
            process.join(20)
            if process.is_alive():
                process.kill()
        target.stop()
    killed = (killed_at, restarted_in, len(target.urls))
    result = _result(kind, scenario, async_mode, connect_seconds, sent, seen, stored, sampler, system_cpu, killed)
    result["processes"] = len(target.processes)
    result["embedding"] = embedding and kind != "relay"
    result["limits"] = limits and kind != "relay"
    return result


def _back_after(back: list[float], killed_at: float, p: float) -> float | None:
    """Seconds after the kill by which p % of the clients were back (None: fewer ever came back)."""
    after = [t - killed_at for t in back if t > killed_at]
    value = percentile(after + [float("inf")] * (len(back) - len(after)), p)
    return None if value is None or value == float("inf") else round(value, 2)


def _expect(conn, timeout: float, what: str) -> dict:
    if not conn.poll(timeout):
        raise RuntimeError(f"the {what} did not answer within {timeout:.0f} s")
    return conn.recv()


def _result(kind, scenario, async_mode, connect_seconds, sent, seen, stored, sampler, system_cpu, killed):
    acks = {a["text"]: a for a in sent["acks"]}
    latencies = []
    missing_at_wall = set()
    duplicated = set()
    for wall in seen["delivered"]:
        for text, ack in acks.items():
            deliveries = wall.get(text)
            if not deliveries:
                missing_at_wall.add(text)
                continue
            latencies.append(deliveries[0][1] - ack["sent"])
        duplicated.update(t for t, d in wall.items() if len({s for s, _ in d if s is not None}) > 1)
    counts: dict[str, int] = {}
    for text in stored:
        counts[text] = counts.get(text, 0) + 1
    duplicated.update(t for t, n in counts.items() if n > 1)
    missing_in_db = {t for t in acks if t not in counts}
    result = {
        "target": kind,
        "async_mode": async_mode,
        "scenario": asdict(scenario),
        "phones_connect_seconds": connect_seconds,
        "phones_connected_at_end": sent["connected"],
        "phones_refused_at_start": sent["not_connected_at_start"],
        "inputs_sent": len(acks) + len(sent["failures"]),
        "inputs_acknowledged": len(acks),
        "inputs_failed": len(sent["failures"]),
        "failures_sample": sent["failures"][:5],
        "lost": len(missing_at_wall | missing_in_db),
        "lost_at_a_wall": len(missing_at_wall),
        "lost_in_database": len(missing_in_db),
        "duplicated": len(duplicated),
        "phone_messages_other_than_state": sent["other_messages"],
        "phone_state_messages_max": max(sent["states"], default=0),
        "latency_ms": {
            name: (None if value is None else round(value * 1000, 1))
            for name, value in (
                ("p50", percentile(latencies, 50)),
                ("p95", percentile(latencies, 95)),
                ("p99", percentile(latencies, 99)),
                ("max", max(latencies, default=None)),
            )
        },
        "deliveries": len(latencies),
        "server_cpu_seconds": round(sampler.cpu_seconds, 2),
        "server_cpu_seconds_per_1000_inputs": round(sampler.cpu_seconds / len(acks) * 1000, 2) if acks else None,
        "postgres_redis_cpu_seconds": round(system_cpu, 2),
        "peak_rss_mb": round(sampler.peak_rss_mb, 1),
        "peak_threads": sampler.peak_threads,
        "generator_schedule_lag_ms": round(sent["schedule_lag"] * 1000, 1),
        "wall_resyncs": seen["resyncs"],
    }
    killed_at, restarted_in, servers = killed
    if killed_at is not None:
        # Clients of the killed server (the first): phone and wall n use server n % servers.
        back = [t for n, t in enumerate(sent["connected_at"]) if n % servers == 0]
        back += [t for n, t in enumerate(seen["synced_at"]) if n % servers == 0]
        result["restart"] = {
            "server_up_again_seconds": round(restarted_in, 2),
            "all_clients_back_seconds": round(max(back) - killed_at, 2) if all(t > killed_at for t in back) else None,
            # How the clients came back: half of them by p50, nine in ten by p90.
            "clients_back_seconds_p50": _back_after(back, killed_at, 50),
            "clients_back_seconds_p90": _back_after(back, killed_at, 90),
            "clients_of_killed_server": len(back),
            "clients_not_back": sum(1 for t in back if t <= killed_at),
            "acknowledged_lost": len(missing_in_db),
        }
    return result
