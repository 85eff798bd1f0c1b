"""Build our English spaCy pipeline (blank English + lookup lemmatizer) without any download.

Pretrained spaCy models can't be fetched here, and the assistant only needs tokens and
lemmas: the lookup tables ship in the `spacy-lookups-data` package.
"""
from __future__ import annotations

from pathlib import Path

from bot.settings import ROOT

MODEL_DIR = ROOT / ".cache" / "spacy" / "en_coprod"


def build(target: Path = MODEL_DIR) -> Path:
    """Write the pipeline to `target` (idempotent: skipped when it already loads)."""
    import spacy

    if (target / "config.cfg").exists():
        try:
            nlp = spacy.load(target)
            if nlp("caring services")[1].lemma_ == "service":
                return target
        except Exception:  # a half-written folder from an interrupted set-up
            pass
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "en_coprod"
    nlp.meta["description"] = "Blank English tokenizer with the lookup lemmatizer from spacy-lookups-data"
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target
