"""Sentence meaning as well as words: a static embedding of a message.

The vectors are WordLlama's `l2_supercat_256` token embeddings (MIT licence), which ship inside
the `wordllama` wheel; its tokenizer file ships beside them. We read both files ourselves
(safetensors + tokenizers): the package itself is not imported (it needs numpy 2 and pydantic 2,
which Rasa 3.6 cannot use), and nothing is ever downloaded. A message's vector is the mean of
its tokens' vectors, scaled to length 1, as WordLlama computes it.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

DIM = 256
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


def package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package (it carries the embedding weights) is not installed: run make setup")
    return Path(list(spec.submodule_search_locations)[0])


class Embedder:
    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self._table = load_file(str(directory / WEIGHTS))["embedding.weight"]  # float16, 16 MB
        if self._table.shape[1] != DIM:
            raise ValueError(f"expected {DIM}-dimensional embeddings, got {self._table.shape}")
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER))

    def embed(self, texts: Sequence[str]) -> Any:
        """One unit-length row per text (all zeros for a text with no tokens)."""
        import numpy as np

        out = np.zeros((len(texts), DIM), dtype=np.float64)
        for i, text in enumerate(texts):
            ids = self._tokenizer.encode(text, add_special_tokens=False).ids if text else []
            if not ids:
                continue
            rows = np.asarray(ids, dtype=np.intp)
            if rows.max() >= self._table.shape[0]:  # an id past the table (never WordLlama's own): its last row
                rows = np.minimum(rows, self._table.shape[0] - 1)
            vector = self._table[rows].astype(np.float64).sum(axis=0) / rows.size
            norm = float(np.sqrt(vector @ vector))
            if norm > 0:
                out[i] = vector / norm
        return out


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    """The process-wide embedder (16 MB, loaded on first use)."""
    return Embedder(package_dir())
