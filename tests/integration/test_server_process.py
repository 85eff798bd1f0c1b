"""What the Rasa server process loads: it answers without JAX (bot.rasa_ext.server)."""
from __future__ import annotations

from pathlib import Path

import pytest


def test_the_server_answers_without_loading_jax(bot, sender):
    maps = Path(f"/proc/{bot.stack.procs['rasa'].pid}/maps")
    if not maps.exists():
        pytest.skip("needs Linux's /proc")
    assert "Source:" in bot.text(sender, "what is co-production?")
    loaded = maps.read_text()
    assert "tensorflow" in loaded  # the right process: Rasa loads TensorFlow
    assert "jaxlib" not in loaded
