"""The Markdown table of a benchmark run, with ratios against the bare relay."""

from __future__ import annotations

TARGET_NAMES = {
    "ours-sqlite": "app, SQLite, 1 process",
    "ours-pg": "app, PostgreSQL + Redis",
    "relay": "bare python-socketio relay",
}


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(ours, floor) -> str:
    if ours is None or not floor:
        return "–"
    return f"{ours / floor:.1f}×"


def table(results: list[dict]) -> str:
    """One row per (scenario, target): latency, correctness, cost, and the ratios to the relay."""
    relay = {(r["scenario"]["name"], r["async_mode"]): r for r in results if r["target"] == "relay"}
    lines = [
        "| scenario | server | phones | inputs acked | lost | dup | p50 ms | p95 ms | p99 ms | max ms "
        "| CPU s / 1000 inputs | CPU vs relay | p99 vs relay | peak RSS MB | phones connect s | restart: all back s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        floor = relay.get((r["scenario"]["name"], r["async_mode"]))
        lat = r["latency_ms"]
        name = TARGET_NAMES.get(r["target"], r["target"])
        if r["target"] == "ours-pg":
            count = r.get("processes", 2)  # runs from before the count was recorded had two
            name += f", {count} process" + ("" if count == 1 else "es")
        if r["async_mode"] != "threading":
            name += f" ({r['async_mode']})"
        if r.get("embedding"):
            name += ", embedding worker"
        if r.get("limits"):
            name += ", rate limits on"
        is_relay = r["target"] == "relay"
        restart = r.get("restart") or {}
        lines.append(
            "| "
            + " | ".join(
                [
                    r["scenario"]["name"],
                    name,
                    str(r["scenario"]["phones"]),
                    f"{r['inputs_acknowledged']}/{r['inputs_sent']}",
                    str(r["lost"]),
                    str(r["duplicated"]),
                    _fmt(lat["p50"]),
                    _fmt(lat["p95"]),
                    _fmt(lat["p99"]),
                    _fmt(lat["max"]),
                    _fmt(r["server_cpu_seconds_per_1000_inputs"], 2),
                    "1.0×" if is_relay else _ratio(r["server_cpu_seconds_per_1000_inputs"], floor and floor["server_cpu_seconds_per_1000_inputs"]),
                    "1.0×" if is_relay else _ratio(lat["p99"], floor and floor["latency_ms"]["p99"]),
                    _fmt(r["peak_rss_mb"], 0),
                    _fmt(r["phones_connect_seconds"], 1)
                    + (f" ({r['phones_refused_at_start']} refused)" if r.get("phones_refused_at_start") else ""),
                    _fmt(restart.get("all_clients_back_seconds"), 1),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def extras(extra: dict) -> str:
    """The wall-load and export lines."""
    lines = []
    for key in ("wall_render", "wall_render_slow_link"):
        wall = extra.get(key)
        if not wall:
            continue
        link = f", through a link of {wall['rtt_ms']} ms round trip" if wall.get("rtt_ms") else ""
        if "error" in wall:
            lines.append(f"- Wall of {wall.get('cards', '?')} cards in headless Chromium{link}: not measured ({wall['error']}).")
        else:
            lines.append(
                f"- Wall of {wall['cards']} cards in headless Chromium{link}: board drawn {wall['rendered_ms']:.0f} ms "
                f"and interactive {wall['interactive_ms']:.0f} ms after navigation start "
                f"(best of {wall['runs']}; slowest {wall['interactive_ms_worst']:.0f} ms; the first visit, its scripts "
                f"not cached yet, {wall.get('interactive_ms_first', float('nan')):.0f} ms); every card in the page "
                f"{wall.get('all_cards_ms', float('nan')):.0f} ms, the longest task after interactive "
                f"{wall.get('longest_task_after_ms', float('nan')):.0f} ms (0: none of 50 ms or more)."
            )
    move = extra.get("move_on_wall")
    if move:
        if "error" in move:
            lines.append(f"- A move on a wall of {move.get('cards', '?')} cards: not measured ({move['error']}).")
        else:
            lines.append(
                f"- A move into the middle of a {move['cards']}-card column, from its request to the card shown in place on "
                f"the wall: median {move['shown_ms_median']:.0f} ms, slowest {move['shown_ms_worst']:.0f} ms of {move['moves']} "
                f"(the request answered at a median {move['answered_ms_median']:.0f} ms); from its event's arrival "
                f"at the wall to the card in place: median {move['after_event_ms_median']:.1f} ms, "
                f"slowest {move['after_event_ms_worst']:.1f} ms."
            )
    exports = extra.get("exports")
    if exports:
        lines.append(f"- Exports ({exports['via']}, best of two; read back with the library that reads each format):")
        for fmt, e in exports["formats"].items():
            back = "not read back" if e["inputs_read_back"] is None else f"{e['inputs_read_back']} inputs read back"
            lines.append(
                f"  - {fmt.upper()} of {e['inputs']} inputs: {e['seconds']:.2f} s (build {e['build_seconds']:.2f} s "
                f"+ render {e['render_seconds']:.2f} s, {e['bytes'] / 1e6:.1f} MB; {back})."
            )
    return "\n".join(lines)
