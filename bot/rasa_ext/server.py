"""Our Rasa server entry point: apply our Rasa patches, then hand over to Rasa's own command line.

    python -m bot.rasa_ext.server run --model models/coprod.tar.gz --endpoints endpoints.yml ...

takes exactly the flags of `rasa run` (any `rasa` subcommand, in fact: `... server shell`).
This is the one place the patches of bot.rasa_ext.patches are applied; bot.runner.Stack.start_rasa
(`python -m bot run`, the integration tests, the benchmark) starts Rasa this way. A plain
`rasa run` also works, without the patches: our tracker store warns about that at start.

It also keeps JAX out of the server: TensorFlow (which Rasa imports on start even though our
model uses none of it) imports JAX only for TFLite's model conversion, inside a `try` that
carries on without it. Nothing the server runs converts models, and not loading JAX saves about
65 MB of the server's memory.
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional

# Optional imports of Rasa's dependencies that the server never uses (see the module docstring).
# A `None` in sys.modules makes `import jax` raise ImportError, the case TensorFlow provides for.
UNUSED_OPTIONAL_IMPORTS = ("jax",)


def skip_unused_imports() -> None:
    """Make the imports of UNUSED_OPTIONAL_IMPORTS fail (unless one is loaded already)."""
    for name in UNUSED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


skip_unused_imports()  # before anything imports Rasa (the patches below do)

from bot.rasa_ext.patches import apply_all  # noqa: E402


def main(argv: Optional[List[str]] = None) -> None:
    """Apply the patches, then run `rasa <argv>` in this process."""
    import rasa.utils.io
    from rasa.__main__ import main as rasa_main

    args = list(sys.argv[1:] if argv is None else argv)
    # Rasa sets up logging itself only once it has parsed its flags; this shows the patches'
    # INFO lines (and warnings) in the server log with Rasa's format until then.
    rasa.utils.io.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    apply_all()
    sys.argv = ["rasa", *args]
    rasa_main()


if __name__ == "__main__":
    main()
