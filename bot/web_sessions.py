"""Web-chat session ids that are their own credential.

The server confirms a session as `<conversation>.<hmac>`: a standard socket.io client (rasa-webchat,
a plain socket.io-client) that keeps only that value resumes its conversation after a reload, while
a client-chosen, forged or bare id gets a new session. The HMAC key is SESSION_SECRET; without one,
a key is generated once and kept in `var/session-secret`, so sessions survive a restart on this
machine (several servers must share one SESSION_SECRET).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Optional

CONVERSATION_RE = re.compile(r"^[0-9a-f]{32}$")


def load_secret(configured: str, path: Path) -> str:
    """SESSION_SECRET, else the key kept at `path` (created once, readable only by its owner)."""
    if configured:
        return configured
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    try:  # link the whole file into place: two processes starting at once agree on the first one's key
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return path.read_text().strip()


def new_conversation() -> str:
    return secrets.token_hex(16)


def _mac(conversation: str, secret: str) -> str:
    return hmac.new(secret.encode(), conversation.encode(), hashlib.sha256).hexdigest()


def credential(conversation: str, secret: str) -> str:
    """The session id the client is given for `conversation`."""
    return f"{conversation}.{_mac(conversation, secret)}"


def conversation_of(session_id: object, secret: str, legacy_token: object = None) -> Optional[str]:
    """The conversation a client proved it owns, or None (it gets a new session). Also accepts the
    earlier form, a bare id with its `session_token`, so open web chats keep going after an upgrade."""
    if not isinstance(session_id, str):
        return None
    conversation, dot, mac = session_id.rpartition(".")
    if dot and CONVERSATION_RE.match(conversation) and hmac.compare_digest(mac, _mac(conversation, secret)):
        return conversation
    if (isinstance(legacy_token, str) and CONVERSATION_RE.match(session_id)
            and hmac.compare_digest(legacy_token, _mac(session_id, secret))):
        return session_id
    return None
