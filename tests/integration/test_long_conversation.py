"""A long conversation keeps its state when the tracker store starts a compact session."""
from __future__ import annotations

from bot.knowledge import load_topics
from bot.rasa_ext.tracker_store import COMPACT_AFTER_EVENTS


def test_self_check_survives_many_knowledge_questions(bot, sender):
    bot.text(sender, "/start_self_check")
    bot.text(sender, "I work in the service")
    bot.text(sender, "Long team")
    assert "Statement 2 of 6" in bot.text(sender, "2")
    # digressions in the middle of the check push the conversation past the compaction point
    for _ in range(COMPACT_AFTER_EVENTS // 4 + 5):
        reply = bot.text(sender, "what are the six principles of co-production?")
        assert "Statement 2 of 6" in reply
    sessions = bot.rows("SELECT COUNT(*) FROM events WHERE sender_id = :s AND type_name = 'session_started'", s=f"rest:{sender}")
    assert sessions[0][0] >= 2  # a compact session was started
    for r in ("3", "1", "2", "3", "1"):
        reply = bot.text(sender, r)
    assert "Anything else" in reply
    bot.text(sender, "skip")
    assert "Overall" in bot.text(sender, "yes")
    assert bot.rows("SELECT COUNT(*) FROM submission WHERE team = 'Long team'") == [(1,)]


def test_tell_me_more_right_after_a_compaction_continues_the_last_answer(bot, sender):
    def sessions() -> int:
        return bot.rows("SELECT COUNT(*) FROM events WHERE sender_id = :s AND type_name = 'session_started'",
                        s=f"rest:{sender}")[0][0]

    bot.text(sender, "hello")
    before = sessions()
    for _ in range(COMPACT_AFTER_EVENTS):  # each answer adds several events: a compaction comes well before the end
        bot.text(sender, "what is co-production?")
        if sessions() > before:
            break
    assert sessions() > before, "no compact session was started"
    # the compaction happened right after this answer: "tell me more" still means more on it
    more = next(t for t in load_topics() if t.id == "what_is_coproduction").text("more", "uk")
    assert more.split(".")[0] in bot.text(sender, "tell me more")
