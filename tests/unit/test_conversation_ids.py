"""Conversations belong to their channel; REST access; the migration of stored conversations."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from bot import db
from bot.access import rest_refusal
from bot.conversation_ids import conversation_key, log_id, migrated_key, recipient, split_key


def test_the_same_sender_on_two_channels_is_two_conversations():
    assert conversation_key("rest", "abc") != conversation_key("socketio", "abc")
    # whatever a REST client sends as its sender, its key starts with "rest:"
    for forged in ("socketio:abc", "slack:U123", "abc"):
        assert split_key(conversation_key("rest", forged))[0] == "rest"
    with pytest.raises(ValueError):
        conversation_key("cmdline", "abc")


def test_replies_go_to_the_id_the_client_knows():
    assert recipient("socketio:9f2c") == "9f2c"
    assert recipient("rest:socketio:9f2c") == "socketio:9f2c"
    assert recipient("legacy-id") == "legacy-id"


def test_logs_never_show_a_web_chat_session_id():
    session = "9f2c4b1e0a7d4c3b8e6f5a4d3c2b1a09"
    shown = log_id(conversation_key("socketio", session))
    assert session not in shown and shown.startswith("socketio:#")
    assert log_id(conversation_key("socketio", session)) == shown  # stable, so a conversation can be followed
    assert log_id("slack:U123") == "slack:U123"


@pytest.mark.parametrize("key, channel, expected", [
    ("abc", "rest", "rest:abc"),
    ("9f2c", "socketio", "socketio:9f2c"),
    ("U123", "slack", "slack:U123"),
    ("socketio:abc", "rest", "rest:socketio:abc"),  # a REST sender that chose a look-alike name
    ("rest:abc", "rest", None),  # already migrated
    ("abc", "cmdline", None),  # rasa shell: not one of our channels
    ("abc", None, None),
])
def test_migrated_key(key, channel, expected):
    assert migrated_key(key, channel) == expected


def test_rest_needs_a_token_off_loopback():
    assert rest_refusal("127.0.0.1", None, "") is None
    # a reverse proxy on the same machine passes on requests from anywhere
    assert rest_refusal("127.0.0.1", None, "", forwarded=True)["status"] == 403
    assert rest_refusal("127.0.0.1", "s3cret", "Bearer s3cret", forwarded=True) is None
    assert rest_refusal("0.0.0.0", None, "")["status"] == 403
    assert rest_refusal("10.0.0.5", None, "Bearer anything")["status"] == 403
    assert rest_refusal("0.0.0.0", "s3cret", "Bearer s3cret") is None
    assert rest_refusal("0.0.0.0", "s3cret", "bearer s3cret") is None
    assert rest_refusal("127.0.0.1", "s3cret", "")["status"] == 401  # a set token is always required
    assert rest_refusal("0.0.0.0", "s3cret", "Bearer s3cre")["status"] == 401


def _legacy_events(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name "
                             "VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), "
                             "data TEXT)"))
        rows = [("web-1", "action", {"event": "action", "name": "action_session_start"}),
                ("web-1", "user", {"event": "user", "text": "hi", "input_channel": "socketio"}),
                ("web-1", "user", {"event": "user", "text": "later", "input_channel": "rest"}),
                ("api-1", "user", {"event": "user", "text": "hello", "input_channel": "rest"}),
                ("U42", "user", {"event": "user", "text": "check", "input_channel": "slack"}),
                ("shell", "user", {"event": "user", "text": "hey", "input_channel": "cmdline"}),
                ("rest:done", "user", {"event": "user", "text": "new", "input_channel": "rest"})]
        for sender, kind, data in rows:
            conn.execute(sa.text("INSERT INTO events (sender_id, type_name, data) VALUES (:s, :t, :d)"),
                         {"s": sender, "t": kind, "d": json.dumps(data)})
    engine.dispose()


def test_stored_conversations_keep_working_after_the_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    _legacy_events(url)
    db.migrate(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        keys = [r[0] for r in conn.execute(sa.text("SELECT sender_id FROM events ORDER BY id"))]
    engine.dispose()
    # every row of a conversation moves together, to the channel of its first message
    assert keys == ["socketio:web-1", "socketio:web-1", "socketio:web-1", "rest:api-1", "slack:U42", "shell",
                    "rest:done"]
