"""Web-chat session ids are their own credential; the key is generated once and kept."""
from __future__ import annotations

import os
import stat

from bot.web_sessions import conversation_of, credential, load_secret, new_conversation

SECRET = "k" * 64


def test_the_confirmed_id_alone_resumes_its_conversation():
    conversation = new_conversation()
    assert conversation_of(credential(conversation, SECRET), SECRET) == conversation


def test_chosen_forged_bare_or_odd_ids_get_no_conversation():
    conversation = new_conversation()
    good = credential(conversation, SECRET)
    assert conversation_of(conversation, SECRET) is None  # bare id
    assert conversation_of(good[:-1] + ("0" if good[-1] != "0" else "1"), SECRET) is None  # forged mac
    assert conversation_of(credential(conversation, "another secret"), SECRET) is None
    assert conversation_of("mine." + good.split(".")[1], SECRET) is None  # someone else's mac
    for odd in (None, 42, {"id": good}, "", ".", "x" * 5000):
        assert conversation_of(odd, SECRET) is None


def test_the_earlier_bare_id_and_token_still_resume():
    conversation = new_conversation()
    token = credential(conversation, SECRET).split(".")[1]
    assert conversation_of(conversation, SECRET, legacy_token=token) == conversation
    assert conversation_of(conversation, SECRET, legacy_token="0" * 64) is None


def test_a_configured_secret_wins_and_a_generated_one_is_kept(tmp_path):
    path = tmp_path / "var" / "session-secret"
    assert load_secret("from-env", path) == "from-env" and not path.exists()
    first = load_secret("", path)
    assert len(first) == 64 and load_secret("", path) == first  # the same after a restart
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
