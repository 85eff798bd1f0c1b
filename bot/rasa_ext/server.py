"""Our Rasa server entry point: apply our Rasa patches, then hand over to Rasa's own command line.

    python -m bot.rasa_ext.server run --model models/coprod.tar.gz --endpoints endpoints.yml ...

takes exactly the flags of `rasa run` (any `rasa` subcommand, in fact: `... server shell`).
This is the one place the patches of bot.rasa_ext.patches are applied; bot.runner.Stack.start_rasa
(`python -m bot run`, the integration tests, the benchmark) starts Rasa this way. A plain
`rasa run` also works, without the patches: our tracker store warns about that at start.
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional

from bot.rasa_ext.patches import apply_all


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
