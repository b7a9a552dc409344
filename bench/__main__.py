"""`python -m bench` (`make bench BENCH_ARGS="..."`): every scenario against every target, one table.

    make bench                                   # the full run (about 15 minutes on 2 cores)
    make bench BENCH_ARGS="--quick"              # smaller numbers, a few minutes
    make bench BENCH_ARGS="--scenario steady --target relay --target ours-sqlite"
    make bench BENCH_ARGS="--gevent"             # also the app and the relay in gevent mode
    make bench BENCH_ARGS="--embedding"          # the app with the [suggest] extra's embedding worker
    make bench BENCH_ARGS="--limits"             # the app with its rate limits on (rules wide enough for the load)
    make bench BENCH_ARGS="--venv /opt/facilitator"   # the servers from a venv holding only the wheel
    make bench BENCH_ARGS="--pg-processes 1"     # one app process on PostgreSQL + Redis instead of two

Loads go only to 127.0.0.1, are bounded in count and time, and stop by
themselves. Results: a Markdown table on stdout and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from . import report, scenarios, targets, wallload

RESULTS = Path(__file__).resolve().parent / "results"


def _machine() -> dict:
    import psutil

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_average_at_start": os.getloadavg(),
    }


def _at_least_one(value: str) -> int:
    """A count of processes: a whole number of at least 1 (0 would serve nothing and fail later, less clearly)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of processes (1 or more)")
    return number


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller numbers (a few minutes)")
    size.add_argument("--smoke", action="store_true", help="tiny numbers (seconds): checks correctness only")
    parser.add_argument("--scenario", action="append", choices=["steady", "burst", "plenary", "restart", "restart-steady", "wall"],
                        help="run only these (repeatable); default: all")
    parser.add_argument("--target", action="append", choices=list(targets.KINDS), help="only these servers (repeatable)")
    parser.add_argument("--gevent", action="store_true", help="also run the app (PostgreSQL + Redis) and the relay in gevent mode")
    parser.add_argument("--embedding", action="store_true",
                        help="run the app with the embedding worker (the [suggest] extra) instead of as the plain wheel installs it")
    parser.add_argument("--limits", action="store_true",
                        help="run the app with its rate limits on, the address and workshop rules wide enough for one address's load")
    parser.add_argument("--venv", type=Path,
                        help="serve the app and the relay from this virtual environment (the wheel installed alone), "
                             "so that memory counts no test-only package")
    parser.add_argument("--pg-processes", type=_at_least_one, default=2, metavar="N",
                        help="app processes on PostgreSQL + Redis (default 2; the issue's one-core burst asks for 1)")
    parser.add_argument("--json", type=Path, help="write the results here (default: bench/results/<time>.json)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    # A TERM (timeout, Ctrl-C in make) still stops the servers and drops the databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.sched_setaffinity(0, targets.generator_cpus())
    if args.venv:
        targets.serve_from(args.venv)
    table = scenarios.SMOKE if args.smoke else scenarios.QUICK if args.quick else scenarios.FULL
    wanted = args.scenario or ["steady", "burst", "plenary", "restart", "restart-steady", "wall"]
    kinds = args.target or list(targets.KINDS)
    modes = ["threading"] + (["gevent"] if args.gevent else [])
    started = time.monotonic()
    machine = _machine()
    path = args.json or RESULTS / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    results, extra, failures = [], {}, []
    for name in wanted:
        if name == "wall" or name not in table:
            continue
        for mode in modes:
            for kind in kinds:
                if table[name].kill_at is not None and kind == "relay":
                    continue  # the relay keeps nothing: a restart loses everything by design
                print(f"[bench] {name} × {kind} ({mode}) ...", file=sys.stderr, flush=True)
                try:
                    result = scenarios.run(
                        kind, table[name], async_mode=mode, embedding=args.embedding, limits=args.limits, pg_processes=args.pg_processes
                    )
                except Exception as error:  # one broken run must not lose the others
                    print(f"[bench]   FAILED: {error!r}", file=sys.stderr, flush=True)
                    failures.append({"scenario": name, "target": kind, "async_mode": mode, "error": repr(error)})
                    _save(path, {"partial": True, "machine": machine, "results": results, "failures": failures})
                    continue
                print(f"[bench]   {_summary(result)}", file=sys.stderr, flush=True)
                results.append(result)
                _save(path, {"partial": True, "machine": machine, "results": results})
    if "wall" in wanted:
        cards, inputs, pdf_inputs = (50, 200, 50) if args.smoke else (2000, 10000, 1000)
        print(f"[bench] wall of {cards} cards, exports of {inputs} inputs (PDF {pdf_inputs}) ...", file=sys.stderr, flush=True)
        extra["wall_render"] = wallload.measure_wall(cards, runs=1 if args.smoke else 3, embedding=args.embedding)
        # The same wall through a link with a venue wifi's round trip: what waiting on the network costs it.
        extra["wall_render_slow_link"] = wallload.measure_wall(cards, runs=1 if args.smoke else 3, embedding=args.embedding, rtt_ms=100)
        extra["move_on_wall"] = wallload.measure_move(cards, moves=3 if args.smoke else 10)
        extra["exports"] = wallload.measure_exports(inputs, pdf_inputs)
    machine["load_average_at_end"] = os.getloadavg()
    document = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "size": "smoke" if args.smoke else "quick" if args.quick else "full",
        "servers_from": str(targets.SERVER_BIN),
        "seconds": round(time.monotonic() - started, 1),
        "results": results,
        "failures": failures,
        "extra": extra,
    }
    _save(path, document)
    print(f"Benchmark {document['date']} on {machine['cpus']} × {machine['cpu_model']}, {machine['memory_gb']} GB "
          f"(load average at start {machine['load_average_at_start'][0]:.2f}), {document['size']} size, "
          f"{document['seconds']:.0f} s.\n")
    if results:
        print(report.table(results))
    if extra:
        print()
        print(report.extras(extra))
    for failure in failures:
        print(f"- {failure['scenario']} × {failure['target']} ({failure['async_mode']}) did not complete: {failure['error']}")
    print(f"\nJSON: {path}")
    return 0


def _save(path: Path, document: dict) -> None:
    """Write the results so far (a long run that dies still leaves what it measured)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2))


def _summary(r: dict) -> str:
    lat = r["latency_ms"]
    text = (f"acked {r['inputs_acknowledged']}/{r['inputs_sent']}, lost {r['lost']}, dup {r['duplicated']}, "
            f"p50/p99 {lat['p50']}/{lat['p99']} ms, CPU/1000 {r['server_cpu_seconds_per_1000_inputs']} s, "
            f"RSS {r['peak_rss_mb']} MB, connect {r['phones_connect_seconds']:.1f} s")
    if r.get("restart"):
        text += f", back after {r['restart']['all_clients_back_seconds']} s"
    return text


if __name__ == "__main__":
    sys.exit(main())
