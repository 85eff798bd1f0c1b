"""Run the rasa-sdk action server for the `actions` package, without its leaks.

rasa-sdk's own error handler answers a failing action with the whole request body, that
is the person's tracker with every slot and message; ours logs the sender id and
returns a short error. CORS is off: only the Rasa server calls this.

    python -m bot.action_server            (ACTION_PORT, COPROD_HOST from the environment)
"""
from __future__ import annotations

import logging

from sanic import response

from bot.conversation_ids import log_id
from bot.settings import settings

log = logging.getLogger("coprod.action_server")
ACTIONS_PACKAGE = "actions"


def create_app(package: str = ACTIONS_PACKAGE):
    """The rasa-sdk Sanic app with a safe error handler."""
    from rasa_sdk.endpoint import create_app as sdk_create_app

    app = sdk_create_app(package, cors_origins=[])
    # Rasa keeps its connection to us open between actions (bot.rasa_ext.patches.shared_action_session); we must not
    # close it first, or a request could be sent on a connection we are closing.
    app.config.KEEP_ALIVE_TIMEOUT = 75

    @app.exception(Exception)
    async def _error(request, exception: Exception):  # noqa: ANN001
        sender = None
        try:
            sender = ((request.json or {}).get("tracker") or {}).get("sender_id")
        except Exception:
            pass
        log.error("action failed sender=%s error=%s", log_id(sender) if isinstance(sender, str) else None,
                  type(exception).__name__,
                  exc_info=(type(exception), exception, exception.__traceback__))
        return response.json({"error": "The action failed; details are in the action server log."}, status=500)

    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s")
    s = settings()
    create_app().run(s.host, s.action_port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
