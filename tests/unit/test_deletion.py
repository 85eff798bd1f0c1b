""""Delete my data" as a conversation (bot.deletion, and its start in bot.flows), without Rasa."""
from __future__ import annotations

from bot import deletion, flows
from bot.erasure import Counts, reference_hash

NOW = "2026-11-23T10:00:00"
SAVED = Counts(submissions=1, answers=4, handoffs=1, sent_to_team=0, unanswered=2)


def mid_check():
    state = flows.start("self_check", "rest", "staff", NOW).state
    for answer in ("Ward 4", "2", "3"):
        state = flows.handle(state, answer, None, 0, NOW).state
    return state


def test_delete_my_data_typed_mid_self_check_is_handed_on_and_the_flow_kept():
    state = mid_check()
    for text, intent in (("delete my data", "delete_my_data"), ("Please delete my answers", None),
                         ("/delete_my_data", "delete_my_data"), ("can you erase the feedback I gave", "delete_my_data")):
        out = flows.handle(state, text, intent, 0.8, NOW)
        assert out.delete_requested and out.state == state and not out.replies, text
        assert out.to_save is None
    # a rating is still a rating, whatever the classifier thinks
    out = flows.handle(state, "3", "delete_my_data", 0.9, NOW)
    assert not out.delete_requested and out.state["answers"]["p_mutuality"] == 3


def test_at_a_free_text_question_only_the_words_themselves_count():
    state = flows.start("feedback", "rest", None, NOW).state
    state = flows.handle(state, "4", None, 0, NOW).state  # now: "What works well for you?"
    out = flows.handle(state, "They delete old records quickly", "delete_my_data", 0.9, NOW)
    assert not out.delete_requested and out.state["answers"]["works"] == "They delete old records quickly"
    assert flows.handle(state, "delete my data", "delete_my_data", 0.9, NOW).delete_requested


def test_the_question_says_what_would_be_deleted_with_counts():
    state, reply = deletion.start(SAVED, None)
    assert state["flow"] == "delete" and state["resume"] is None
    assert ("1 set of saved answers (4 answers), 1 request to talk to a person, 2 questions I couldn't answer and "
            "this chat's log") in reply["text"]
    assert [b["payload"] for b in reply["buttons"]] == ["/affirm", "/deny"]
    _, reply = deletion.start(Counts(), mid_check())
    assert reply["text"].startswith("I can't see any saved answers from this chat.")
    assert "reference code" in reply["text"] and "the answers you are in the middle of giving" in reply["text"]


def test_no_keeps_everything_and_the_self_check_carries_on_where_it_was():
    flow = mid_check()
    state, _ = deletion.start(SAVED, flow)
    for answer, intent in (("no", None), ("/deny", "deny"), ("stop", None), ("nah leave it", "deny")):
        step = deletion.handle(state, answer, intent)
        assert step.do == "cancel" and step.state == flow, answer
        assert step.replies[0]["text"] == deletion.CANCELLED
        assert "Statement 3 of 6" in step.replies[1]["text"] and len(step.replies[1]["buttons"]) == 5
    step = deletion.handle(deletion.start(SAVED, None)[0], "no")
    assert step.do == "cancel" and step.state is None and len(step.replies) == 1


def test_only_a_clear_yes_deletes():
    state, _ = deletion.start(SAVED, None)
    for answer in ("yes", "Yes please", "/affirm"):
        assert deletion.handle(state, answer, None).do == "erase", answer
    step = deletion.handle(state, "hmm, what would that mean", "affirm")  # the classifier's guess is not a yes
    assert step.do == "reply" and "Please answer yes or no" in step.replies[0]["text"]
    assert deletion.handle(step.state, "what?", None).do == "cancel"  # unclear twice: nothing deleted


def test_a_reference_code_is_looked_up_then_confirmed():
    state, _ = deletion.start(Counts(), None)
    step = deletion.handle(state, "it's d-7qka x3mp", "affirm")
    assert step.do == "lookup" and step.code == "D-7QKA-X3MP" and step.code_hash == reference_hash("D-7QKA-X3MP")
    found = Counts(submissions=1, answers=7, kind="staff_check", saved_on="2026-11-02")
    step = deletion.found(state, step.code_hash, found)
    assert step.replies[0]["text"].startswith("I found a staff self-check saved on 2 November 2026 with that code "
                                              "(7 answers). Shall I delete it?")
    assert deletion.handle(step.state, "no").do == "cancel"
    assert deletion.handle(step.state, "yes").do == "erase_code"
    assert deletion.handle(step.state, "yes").code_hash == reference_hash("D-7QKA-X3MP")


def test_a_wrong_code_gets_a_friendly_message_and_three_tries():
    state, _ = deletion.start(Counts(), None)
    for _ in range(2):
        step = deletion.not_found(state, "D-AAAA-AAAA")
        assert step.do == "reply" and "I couldn't find saved answers with the code D-AAAA-AAAA" in step.replies[0]["text"]
        state = step.state
    step = deletion.not_found(state, "D-AAAA-AAAA")
    assert step.do == "cancel" and "I haven't deleted anything" in step.replies[0]["text"]


def test_the_last_reply_says_what_was_deleted():
    state, _ = deletion.start(SAVED, mid_check())
    text = deletion.done_text(deletion.done_state(state, SAVED, "conversation"), "Riverside")
    assert text.startswith("Done. I've deleted 1 set of saved answers (4 answers), 1 request to talk to a person, "
                           "2 questions I couldn't answer, the answers you are in the middle of giving and this chat's log.")
    sent = Counts(handoffs=1, sent_to_team=1)
    assert "stays in Slack: ask the team at Riverside" in deletion.done_text(
        deletion.done_state(state, sent, "conversation"), "Riverside")
    nothing = deletion.done_text(deletion.done_state({"resume": None}, Counts(), "conversation"), "Riverside")
    assert nothing == "Done. There were no saved answers or requests from this chat; I've deleted this chat's log."
    code = deletion.done_text(deletion.done_state({}, Counts(submissions=1, answers=7, kind="feedback"), "code"), "R")
    assert code.startswith("Done. I've deleted feedback saved with that code (7 answers) and this chat's log.")


def test_no_rule_or_story_runs_the_action_that_drops_the_transcript():
    """action_delete_my_data (after which the tracker store deletes the transcript) runs only as the
    follow-up of a yes (actions.privacy.delete_turn), never from a rule or story."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = list((root / "data").rglob("*.yml")) + [root / "tests" / "test_stories.yml"]
    assert files and not [f for f in files if "action_delete_my_data" in f.read_text(encoding="utf-8")]
    assert "action_ask_delete_my_data" in (root / "data" / "rules" / "conversation.yml").read_text(encoding="utf-8")
