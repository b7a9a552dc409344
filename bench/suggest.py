"""`python -m bench.suggest`: grouping help on the 117 reference inputs, per method.

    python -m bench.suggest              # 300 random sorting orders (a few minutes on 2 cores)
    python -m bench.suggest --orders 50  # quicker
    python -m bench.suggest --board 1000 # also time suggestions for a 1,000-input board

Measures, on facilitator/data/seed-workshop.json (needs the `suggest` extra
for the embedding rows):

- near-duplicates: the top pairs of each engine with their scores, for a
  person to judge (the judgement and the chosen thresholds are in README);
- sequential hint accuracy: the inputs are sorted in a random order, each
  into its published theme; before each one is placed, the method names a
  theme from the inputs already placed; right / named, averaged over many
  orders. Beside it the majority baseline (the largest theme so far);
- embedding time per input and the process's memory with the model loaded.

Results: a Markdown table on stdout and JSON in bench/results/suggest.json.
Not a timed test; nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from facilitator import demo
from facilitator.suggest import board, embedding, lexical, ranking

RESULTS = Path(__file__).resolve().parent / "results"


def load_seed():
    """(texts, labels, theme titles, theme summaries) of the reference workshop."""
    data = demo.load_seed()
    texts, labels = [], []
    for t, theme in enumerate(data["themes"]):
        for text in theme["inputs"]:
            texts.append(text)
            labels.append(t)
    titles = [t["title"] for t in data["themes"]]
    summaries = [t["title"] + ". " + t["summary"] for t in data["themes"]]
    return texts, np.array(labels), titles, summaries


def lexical_sims(texts, extra):
    """Lexical similarities among texts and from texts to the extra texts (one vocabulary)."""
    v = lexical.vectors(texts + extra)
    n = len(texts)
    return v[:n] @ v[:n].T, v[:n] @ v[n:].T, v[:n]


def simulate(orders, labels, themes, predict):
    """Share of right hints over many sorting orders; predict(i, members) -> theme index or -1."""
    right = named = 0
    for order in orders:
        for p in range(1, len(order)):
            guess = predict(order[p], order[:p])
            if guess >= 0:
                named += 1
                right += int(guess == labels[order[p]])
    return right / named if named else 0.0


def knn_predictor(sims, labels, themes, tuning, anchors=None):
    def predict(i, members):
        votes = ranking.theme_votes(
            sims[i : i + 1, members], labels[members], themes, tuning, None if anchors is None else anchors[i : i + 1]
        )[0]
        return int(np.argmax(votes)) if votes.sum() > 0 else -1

    return predict


def centroid_predictor(vectors, labels, themes):
    def predict(i, members):
        best, best_score = -1, -np.inf
        for t in range(themes):
            inside = members[labels[members] == t]
            if not len(inside):
                continue
            c = vectors[inside].mean(axis=0)
            score = float(vectors[i] @ c) / (float(np.linalg.norm(c)) or 1.0)
            if score > best_score:
                best, best_score = t, score
        return best

    return predict


def majority_predictor(labels, themes):
    def predict(i, members):
        return int(np.bincount(labels[members], minlength=themes).argmax())

    return predict


# (k, power, anchors, anchor weight): the configurations the default run reports (--grid: all).
CHOSEN = [(7, 3.0, "", 0), (7, 3.0, "titles", 6.0), (7, 3.0, "titles+summaries", 6.0), (11, 3.0, "titles", 6.0)]

# Pairs a person judged to be the same proposal in other words (README, "Suggestions"); by text prefix.
JUDGED = [
    ("Vejledning i at være en inkluderende", "Vejledning i at være en inkluderende"),
    ("Uddannelse af AMR/TR i inklusion", "Uddannelse i inklusion"),
    ("Kønsneutrale toiletter", "Adgang til hygiejne produkter på kønsneutrale"),
    ("Kønsneutrale toiletter", "Fysiske trygge rammer (fx toiletter)"),
    ("Tænk på de fysiske rammer", "Fysiske trygge rammer (fx toiletter)"),
    ("Vigtigt at ledelsen bakker op", "Vigtigt med tydelig tilkendegivelse fra ledelsen"),
    ("Synlighed er vigtigt – ledelse skal", "Vigtigt med tydelig tilkendegivelse fra ledelsen"),
    ("Plads til at tale åbent", "Åben dialog / plads til at tale frit"),
    ("At TR er klædt på ift. LGBT+", "TR klædes på til at håndtere udfordringer"),
    ("Træning af tillidsrepræsentant + AMR", "Leder seminar + TR + AMR"),
    ("Træning af tillidsrepræsentant + AMR", "Uddannelse af AMR/TR i inklusion"),
    ("Leder seminar + TR + AMR", "Uddannelse af AMR/TR i inklusion"),
    ("Uddannelse og opkvalificering af ledere", "Uddannelse af ledere mhb. mikroaggressioner"),
]


def judged(a: str, b: str) -> bool:
    """True if a person judged the pair the same proposal."""
    return any(
        (a.startswith(x) and b.startswith(y)) or (a.startswith(y) and b.startswith(x)) for x, y in JUDGED
    )


def duplicate_precision(sims, texts):
    """Precision of the top 5 and 10 pairs, and pairs/precision at each threshold."""
    pairs = ranking.duplicate_pairs(sims, -1.0, limit=40)
    good = [judged(texts[i], texts[j]) for i, j, _s in pairs]
    sweep = []
    for k in range(1, len(pairs) + 1):
        sweep.append({"threshold": round(pairs[k - 1][2], 3), "pairs": k, "precision": round(sum(good[:k]) / k, 3)})
    return {"top5": sum(good[:5]) / 5, "top10": sum(good[:10]) / 10, "sweep": sweep}


def floor_table(orders, labels, themes, sims, anchors, tuning):
    """For each floor on the vote share: how often a hint is shown, how often it is right (first and
    either of two), sorting sequentially as in simulate()."""
    shares, right1, right2 = [], [], []
    for order in orders:
        for p in range(1, len(order)):
            i, members = order[p], order[:p]
            votes = ranking.theme_votes(sims[i : i + 1, members], labels[members], themes, tuning, anchors[i : i + 1])[0]
            ranked = np.argsort(-votes)
            shares.append((votes[ranked[0]], votes[ranked[1]]))
            right1.append(ranked[0] == labels[i])
            right2.append(ranked[1] == labels[i])
    shares, right1, right2 = np.array(shares), np.array(right1), np.array(right2)
    table = []
    for floor in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7):
        shown = shares[:, 0] >= floor
        second = shown & (shares[:, 1] >= floor)
        table.append({
            "floor": floor,
            "shown": round(float(shown.mean()), 3),
            "first_right": round(float(right1[shown].mean()) if shown.any() else 0.0, 3),
            "either_right": round(float((right1 | (right2 & second))[shown].mean()) if shown.any() else 0.0, 3),
        })
    return table


def top_pairs(sims, texts, count):
    pairs = ranking.duplicate_pairs(sims, -1.0, limit=count)
    return [{"score": round(s, 3), "a": texts[i], "b": texts[j]} for i, j, s in pairs]


def board_timing(n, have_model):
    """Seconds for GET /suggestions and /similar on an n-input board (a third sorted), once embedded.

    A real app on a fresh SQLite file: inputs posted through the services,
    embedded by the real worker, asked for through the HTTP API (test client).
    """
    import tempfile

    from facilitator import create_app, extensions, migrate, services
    from facilitator.suggest.worker import EmbeddingWorker

    texts, labels, titles, _summaries = load_seed()
    folder = tempfile.mkdtemp(prefix="bench-suggest-")
    url = f"sqlite:///{folder}/bench.sqlite3"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "SUGGEST_WORKER": False, "PARTICIPANT_STATE_DEBOUNCE": 0}, instance_path=folder)
    out = {}
    with app.app_context():
        user = services.create_user("bench@example.org", "bench password 1234")
        token, _row = services.create_token(user.id, "bench")
        workshop = services.create_workshop(user.id, "Bench", language="da", themes=titles)
        services.set_status(workshop.id, "open")
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        theme_ids = [t["id"] for t in client.get(f"/api/v1/workshops/{workshop.id}", headers=headers).json["themes"]]
        first = None
        for k in range(n):
            item, _ = services.submit_input(workshop.join_code, f"{texts[k % len(texts)]} ({k})", f"bench-{k:06d}")
            first = first or item.id
            if k % 3 == 0:
                services.move_input(workshop.id, item.id, theme_ids[int(labels[k % len(texts)])], 0)
        started = time.perf_counter()
        if have_model:
            EmbeddingWorker(app).run_once()
        out["embedding_all_seconds"] = round(time.perf_counter() - started, 1)
        for engine in (["embedding", "lexical"] if have_model else ["lexical"]):
            app.config["SUGGEST_ENGINE"] = engine
            for path in ("/suggestions", f"/inputs/{first}/similar?limit=10"):
                client.get(f"/api/v1/workshops/{workshop.id}{path}", headers=headers)  # warm the caches
                started = time.perf_counter()
                answer = client.get(f"/api/v1/workshops/{workshop.id}{path}", headers=headers)
                assert answer.status_code == 200
                out[f"{engine} GET {path.split('?')[0].rsplit('/', 1)[-1]}"] = round(time.perf_counter() - started, 3)
    extensions.database(app).dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--board", type=int, default=0, help="also time an n-input board")
    parser.add_argument("--grid", action="store_true", help="try every k, power and anchor weight")
    args = parser.parse_args()

    texts, labels, titles, summaries = load_seed()
    themes = len(titles)
    rng = np.random.default_rng(args.seed)
    orders = [rng.permutation(len(texts)) for _ in range(args.orders)]
    results: dict = {"inputs": len(texts), "orders": args.orders, "accuracy": {}, "pairs": {}, "duplicates": {},
                     "floors": {}}

    lex_s, lex_titles, lex_v = lexical_sims(texts, titles)
    _ls, lex_summ, _lv = lexical_sims(texts, summaries)
    engines = {"lexical": (lex_s, lex_titles, lex_summ, lex_v)}

    have_model = embedding.available()
    if have_model:
        import psutil

        before = psutil.Process().memory_info().rss
        embedding.embed(["opvarmning"])
        started = time.perf_counter()
        for text in texts:  # one at a time, as the worker meets them
            embedding.embed([text])
        one = (time.perf_counter() - started) / len(texts)
        started = time.perf_counter()
        emb_v = embedding.embed(texts)
        batch = (time.perf_counter() - started) / len(texts)
        results["embedding"] = {
            "model": embedding.model_name(),
            "seconds_per_input_one_by_one": round(one, 4),
            "seconds_per_input_batched": round(batch, 4),
            "rss_added_mb": round((psutil.Process().memory_info().rss - before) / 2**20, 1),
            "rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
        }
        emb_t = emb_v @ embedding.embed(titles).T
        emb_m = emb_v @ embedding.embed(summaries).T
        raw = emb_v @ emb_v.T
        results["pairs"]["embedding (raw cosine)"] = top_pairs(raw, texts, 25)
        es, et, em = ranking.centre(raw, emb_t, emb_m)
        engines["embedding"] = (es, et, em, emb_v)
        for w in (0.3, 0.5, 0.7):
            # As the server does (suggest/board.py): blended input similarities, lexical anchors.
            engines[f"combined-{w}"] = (ranking.blend(lex_s, es, w), lex_titles, lex_summ, None)

    acc = results["accuracy"]
    acc["majority (largest theme so far)"] = simulate(orders, labels, themes, majority_predictor(labels, themes))
    acc["majority (largest final theme)"] = float(np.mean(labels == np.bincount(labels).argmax()))
    grid = [(k, p, a, w) for k in (3, 7, 11) for p in (1.0, 3.0) for a in ("", "titles", "titles+summaries")
            for w in ((0,) if not a else (1.0, 3.0, 6.0))] if args.grid else CHOSEN
    for name, (sims, a_titles, a_summ, vecs) in engines.items():
        if vecs is not None:
            acc[f"{name}: centroid"] = simulate(orders, labels, themes, centroid_predictor(vecs, labels, themes))
        for k, power, anchor, weight in grid:
            tuning = ranking.Tuning(duplicate=1, k=k, power=power, anchor_weight=weight)
            anchors = {"": None, "titles": a_titles, "titles+summaries": a_summ}[anchor]
            label = f"{name}: kNN k={k} p={power:g}" + (f" + {anchor} x{weight:g}" if anchor else "")
            acc[label] = simulate(orders, labels, themes, knn_predictor(sims, labels, themes, tuning, anchors))
        results["pairs"][name] = top_pairs(sims, texts, 25)
        results["duplicates"][name] = duplicate_precision(sims, texts)
    for name, (engine, anchor) in {"lexical": ("lexical", "titles+summaries"),
                                   "embedding": (f"combined-{board.EMBEDDING_WEIGHT}", "titles+summaries")}.items():
        if engine in engines:
            sims, a_titles, a_summ, _v = engines[engine]
            results["floors"][name] = floor_table(
                orders, labels, themes, sims, a_summ if anchor == "titles+summaries" else a_titles, board.TUNING[name]
            )

    if args.board:
        results["board"] = {args.board: board_timing(args.board, have_model)}

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "suggest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"| method | hint accuracy ({args.orders} orders) |\n|---|---|")
    for name, value in sorted(acc.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {value:.1%} |")
    for name, pairs in results["pairs"].items():
        print(f"\n{name}: top pairs (* judged the same proposal)")
        for p in pairs[:15]:
            mark = "*" if judged(p["a"], p["b"]) else " "
            print(f"  {mark} {p['score']:.3f}  {p['a'][:50]!r} / {p['b'][:50]!r}")
    for name, d in results["duplicates"].items():
        cut = [x for x in d["sweep"] if x["precision"] >= 0.8]
        print(f"\n{name}: duplicates top5 {d['top5']:.0%} top10 {d['top10']:.0%}; lowest threshold with >= 80 %: "
              f"{cut[-1] if cut else None}")
    for name, table in results["floors"].items():
        print(f"\n{name}: hint floors {json.dumps(table)}")
    for key in ("embedding", "board"):
        if key in results:
            print(f"\n{key}: {json.dumps(results[key])}")


if __name__ == "__main__":
    main()
