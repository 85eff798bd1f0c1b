"""Who may use the REST channel (plain Python, so it is tested without Rasa)."""
from __future__ import annotations

import hmac
from typing import Optional, TypedDict

from bot.settings import is_loopback


class Refusal(TypedDict):
    status: int
    error: str


def rest_refusal(bound_host: str, token: Optional[str], authorization: str, forwarded: bool = False) -> Optional[Refusal]:
    """Why a REST request is refused ({"status", "error"}), or None when it may go on. With REST_TOKEN
    set it must carry `Authorization: Bearer <token>`; without one the channel answers only when
    the server listens on a loopback address (a laptop, the tests) and the request was not passed on
    by a proxy (Forwarded / X-Forwarded-For), never on a public one."""
    if token:
        given = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        return {"status": 401, "error": "A valid bearer token is required (Authorization: Bearer <REST_TOKEN>)."}
    if is_loopback(bound_host) and not forwarded:  # a proxy on this machine passes on outside requests
        return None
    return {"status": 403, "error": "The REST channel is off on this address. Set REST_TOKEN to use it "
                                    "for an integration; the web chat uses socket.io."}
