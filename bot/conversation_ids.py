"""Conversation keys: every conversation belongs to the channel it came from.

Rasa keys a conversation by the bare sender id, whatever the channel, so a client of the
REST webhook that posts `{"sender": "<id>"}` with somebody's web-chat session id or Slack user
id steps into that person's conversation. Our channels therefore hand Rasa
`<channel>:<sender>` ("rest:42", "socketio:9f2c…", "slack:U123"): a REST sender can only ever
address REST conversations, whatever it sends. The prefix is added by the channel and taken
off again before a reply goes out.

Logs carry `log_id(key)`: the key itself, except that a web-chat session id (which, with its
token, resumes a conversation) is shown as a short one-way hash.
"""
from __future__ import annotations

import hashlib
from typing import Optional, Tuple

CHANNELS = ("rest", "socketio", "slack")
WEB_CHANNEL = "socketio"


def conversation_key(channel: str, sender: str) -> str:
    """The tracker key of `sender` on `channel`."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return f"{channel}:{sender}"


def split_key(key: str) -> Tuple[Optional[str], str]:
    """(channel, sender) of a key; (None, key) for a key without a channel prefix."""
    channel, sep, sender = key.partition(":")
    if sep and channel in CHANNELS:
        return channel, sender
    return None, key


def recipient(key: str) -> str:
    """The id a channel's client knows (the key without its channel prefix)."""
    return split_key(key)[1]


def log_id(key: str) -> str:
    """What logs may show of a conversation: web-chat ids are hashed, as they resume a session."""
    channel, sender = split_key(key)
    if channel == WEB_CHANNEL:
        return f"{WEB_CHANNEL}:#{hashlib.sha256(sender.encode()).hexdigest()[:12]}"
    return key


def migrated_key(key: str, input_channel: Optional[str]) -> Optional[str]:
    """The new key of a conversation stored before keys carried the channel; None if it needs none
    (already carries its own channel, or its channel is not one of ours, such as `rasa shell`).
    A REST sender that chose a name like "socketio:…" becomes "rest:socketio:…"."""
    if input_channel not in CHANNELS or split_key(key)[0] == input_channel:
        return None
    return conversation_key(input_channel, key)
