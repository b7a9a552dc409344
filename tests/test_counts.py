"""Inputs per theme as server-drawn charts over HTTP: what they count, who may see them, and the drawing."""

from __future__ import annotations

import re

from conftest import send
from facilitator import charts, services
from facilitator.db import read_session
from facilitator.theme_counts import theme_counts


def numbers(svg: str) -> list[tuple[str, int]]:
    """The (label, number) pairs a chart draws, in order: every label text is followed by its number."""
    texts = [t for t in re.findall(r">([^<>]+)</text>", svg)]
    return [(texts[i], int(texts[i + 1])) for i in range(0, len(texts), 2)]


def test_counts_are_visible_inputs_per_theme_in_board_order_then_unsorted(app, api, client, workshop):
    wid, code = workshop["id"], workshop["join_code"]
    alpha, beta = [t["id"] for t in api.get(f"/workshops/{wid}").json["themes"]]
    with read_session() as s:
        assert theme_counts(s, wid) == [("Alpha", 0), ("Beta", 0)]  # no Unsorted while it is empty
    ids = [send(client, code, f"idé {n}").json["id"] for n in range(5)]
    for n, item in enumerate(ids[:3]):
        api.post(f"/workshops/{wid}/inputs/{item}/move", json={"theme_id": beta, "index": n})
    api.post(f"/workshops/{wid}/inputs/{ids[1]}/hide", json={"reason": "spam"})
    api.post(f"/workshops/{wid}/inputs/{ids[4]}/hide", json={"reason": "spam"})
    api.patch(f"/workshops/{wid}/themes/{beta}", json={"position": 0})
    with read_session() as s:
        assert theme_counts(s, wid) == [("Beta", 2), ("Alpha", 0), (None, 1)]

    wall = api.get(f"/workshops/{wid}/counts.svg")
    assert wall.status_code == 200 and wall.mimetype == "image/svg+xml" and wall.headers["Cache-Control"] == "no-store"
    assert numbers(wall.get_data(as_text=True)) == [("Beta", 2), ("Alpha", 0), ("Ikke sorteret", 1)]
    secret = api.get(f"/workshops/{wid}").json["projector_url"].rsplit("/", 1)[1]
    room = client.get(f"/p/{secret}/counts.svg")
    assert room.status_code == 200 and room.headers["Cache-Control"] == "no-store"
    # The room's chart is in the workshop's language and counts no hidden input.
    assert numbers(room.get_data(as_text=True)) == [("Beta", 2), ("Alpha", 0), ("Ikke sorteret", 1)]


def test_the_charts_need_the_facilitator_or_the_projector_secret(app, api, client, workshop, other_user):
    wid = workshop["id"]
    assert client.get(f"/api/v1/workshops/{wid}/counts.svg").status_code == 401
    token, _row = services.create_token(other_user.id, "other")
    assert client.get(f"/api/v1/workshops/{wid}/counts.svg", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    assert client.get("/p/not-the-secret/counts.svg").status_code == 404


def test_a_title_is_text_in_the_picture_never_markup(app, api, workshop):
    wid = workshop["id"]
    api.post(f"/workshops/{wid}/themes", json={"title": '<script>alert(1)</script> & "x"'})
    svg = api.get(f"/workshops/{wid}/counts.svg").get_data(as_text=True)
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;" in svg


def test_the_projector_chart_puts_each_label_above_its_bar_and_scales_bars_to_the_largest():
    rows = [charts.Row("Lang titel " * 8, 40, 0, 0), charts.Row("Kort", 10, 0, 0), charts.Row("Ingen", 0, 0, 0)]
    svg = charts.stacked_bar_chart_svg(rows)
    width = float(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    bars = [float(w) for w in re.findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)"', svg)]
    assert bars[0] == max(bars) and abs(bars[1] - bars[0] / 4) < 0.2 and bars[2] == 1.0  # an empty bar is a hairline
    labels = re.findall(r'<text x="0" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    assert [t for _y, t in labels][1:] == ["Kort", "Ingen"]
    assert labels[0][1].endswith("…") and len(labels[0][1]) == charts.LABEL_CHARS  # shortened in the picture only
    assert "Lang titel " * 7 in svg  # the full label stays in the picture's description
    tops = [float(y) for y in re.findall(r'<rect x="0" y="([\d.]+)"', svg)]
    assert all(float(y) < top for (y, _t), top in zip(labels, tops))
    assert max(bars) < width
