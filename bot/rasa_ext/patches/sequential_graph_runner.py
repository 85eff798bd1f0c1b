"""The model's graphs run in a fixed order instead of through dask.

The message processor runs the model's graphs through dask three times a turn; dask's
scheduling was 9% of the Rasa CPU with 20 users (py-spy). The processor now loads the model
into `SequentialGraphRunner` (bot.rasa_ext.graph_runner): same nodes, same results
(tests/integration/test_graph_runner.py).
Replaces `rasa.core.processor.DaskGraphRunner`, the runner class `MessageProcessor` loads the model with.
"""
from __future__ import annotations

import rasa.core.processor as processor

from bot.rasa_ext.graph_runner import SequentialGraphRunner
from bot.rasa_ext.patches.base import apply_patch, replace

NAME = "sequential_graph_runner"


def apply() -> bool:
    """Load models into SequentialGraphRunner (once; Rasa 3.6.x only)."""
    return apply_patch(NAME, "the model's graphs run in a fixed order, without dask",
                       lambda: replace(processor, "DaskGraphRunner", SequentialGraphRunner))
