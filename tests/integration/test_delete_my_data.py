""""Delete my data" against the real servers, then the database: it asks first, "no" deletes
nothing, "yes" deletes everything tied to the conversation and says so with counts, it works in
the middle of a self-check, and a reference code deletes saved answers from a new conversation."""
from __future__ import annotations

import hashlib
import re
import uuid


from bot import handoff, privacy
from bot.organisation import load
from bot.settings import ROOT
from tests.integration.slack_standin import signed_post, thread_reply

CODE = re.compile(r"Your reference code is (D-[A-Z0-9]{4}-[A-Z0-9]{4})\.")
MEDICAL = "my name is Jane, my insulin dose is wrong"


def count(bot, table: str) -> int:
    return bot.rows(f"SELECT COUNT(*) FROM {table}")[0][0]


def events(bot, sender: str) -> int:
    return bot.rows("SELECT COUNT(*) FROM events WHERE sender_id = :s", s=f"rest:{sender}")[0][0]


def submission_of(bot, code: str):
    """(id, respondent id) of the submission that carries the code (only its hash is stored)."""
    rows = bot.rows("SELECT id, respondent_id FROM submission WHERE reference_hash = :h",
                    h=hashlib.sha256(code.encode()).hexdigest())
    return rows[0] if rows else None


def give_feedback(bot, sender: str) -> str:
    """A saved feedback (four answers); returns its reference code."""
    assert "rate your experience" in bot.text(sender, "I want to give feedback about my care")
    for answer in ("4", "Friendly staff", "skip", "skip"):
        bot.text(sender, answer)
    saved = bot.text(sender, "yes")
    assert "Saved" in saved and CODE.search(saved), saved
    return CODE.search(saved).group(1)


def test_delete_asks_first_no_keeps_all_yes_deletes_all_and_says_what(bot, sender):
    """The issue's case: a name in a medical question, a garbled message, "talk to a person"."""
    code = give_feedback(bot, sender)
    sub, rid = submission_of(bot, code)
    garbled = f"zxqv blorp fwee {uuid.uuid4().hex[:6]}"
    assert "GP or pharmacist" in bot.text(sender, MEDICAL)
    bot.text(sender, garbled)
    assert "kept a note" in bot.text(sender, "talk to a person")
    medical_rows = bot.rows("SELECT COUNT(*) FROM unanswered_question WHERE text = :t", t=MEDICAL)[0][0]
    assert bot.rows("SELECT COUNT(*) FROM unanswered_question WHERE text = :t", t=garbled) == [(1,)]
    assert bot.rows("SELECT question FROM handoff_request WHERE respondent_id = :r", r=rid) == [(garbled,)]
    answers_before = count(bot, "answer")

    asked = bot.say(sender, "delete my data")
    assert asked[0]["text"].startswith(
        "Shall I delete what is stored from this chat? That is 1 set of saved answers (4 answers), 1 request to "
        "talk to a person, 2 questions I couldn't answer and this chat's log. This can't be undone.")
    assert [b["payload"] for b in asked[0]["buttons"]] == ["/affirm", "/deny"]
    logged = events(bot, sender)
    assert logged > 0  # asking deletes nothing, not even the transcript
    assert bot.text(sender, "no") == "OK, I haven't deleted anything."
    assert submission_of(bot, code) == (sub, rid) and count(bot, "answer") == answers_before
    assert bot.rows("SELECT COUNT(*) FROM handoff_request WHERE respondent_id = :r", r=rid) == [(1,)]
    assert bot.rows("SELECT COUNT(*) FROM unanswered_question WHERE text = :t", t=garbled) == [(1,)]
    assert events(bot, sender) > logged

    bot.text(sender, "delete my data")
    done = bot.text(sender, "/affirm")
    assert done.startswith("Done. I've deleted 1 set of saved answers (4 answers), 1 request to talk to a person, "
                           "2 questions I couldn't answer and this chat's log."), done
    assert submission_of(bot, code) is None and count(bot, "answer") == answers_before - 4
    assert bot.rows("SELECT COUNT(*) FROM handoff_request WHERE respondent_id = :r", r=rid) == [(0,)]
    assert bot.rows("SELECT COUNT(*) FROM unanswered_question WHERE text = :t", t=garbled) == [(0,)]
    assert bot.rows("SELECT COUNT(*) FROM unanswered_question WHERE text = :t", t=MEDICAL) == [(medical_rows - 1,)]
    assert events(bot, sender) == 0  # the transcript went with the yes

    # a new conversation under the same key: nothing is tied to it any more
    again = bot.text(sender, "delete my data")
    assert again.startswith("I can't see any saved answers from this chat.") and "reference code" in again
    assert bot.text(sender, "no") == "OK, I haven't deleted anything."


def test_delete_typed_mid_self_check_asks_and_no_carries_on_then_yes_ends_it(bot, sender):
    bot.text(sender, "start the self-check")
    bot.text(sender, "I work in the service")
    bot.text(sender, f"Ward {uuid.uuid4().hex[:6]}")
    bot.text(sender, "2")
    assert "Statement 3 of 6" in bot.text(sender, "3")
    asked = bot.text(sender, "delete my data")
    assert "choose a number" not in asked and asked.startswith("I can't see any saved answers from this chat.")
    assert "the answers you are in the middle of giving" in asked
    carried_on = bot.text(sender, "no")
    assert carried_on.startswith("OK, I haven't deleted anything.") and "Statement 3 of 6" in carried_on
    for answer in ("1", "2"):
        bot.text(sender, answer)
    assert "Statement 6 of 6" in bot.text(sender, "3")
    assert "Anything else" in bot.text(sender, "2")
    assert "Shall I save your answers?" in bot.text(sender, "skip")
    code = CODE.search(bot.text(sender, "yes")).group(1)
    sub, rid = submission_of(bot, code)
    assert bot.rows("SELECT rating FROM answer WHERE submission_pk = :s AND question = 'p_mutuality'", s=sub) == [(1,)]

    # again, and this time yes: the saved check and the one in progress go
    assert "Statement 1 of 6" in bot.text(sender, "start the self-check") + bot.text(sender, "skip")
    bot.text(sender, "4")
    asked = bot.text(sender, "please delete my answers")
    assert asked.startswith("Shall I delete what is stored from this chat? That is 1 set of saved answers (7 answers), "
                            "the answers you are in the middle of giving and this chat's log.")
    done = bot.text(sender, "yes")
    assert done.startswith("Done. I've deleted 1 set of saved answers (7 answers), the answers you are in the middle "
                           "of giving and this chat's log.")
    assert submission_of(bot, code) is None and events(bot, sender) == 0
    assert "Statement" not in bot.text(sender, "3")  # the self-check is over


def test_a_reference_code_deletes_saved_answers_from_a_new_conversation(bot, sender):
    code = give_feedback(bot, sender)
    newcomer = f"test-{uuid.uuid4().hex[:12]}"
    asked = bot.text(newcomer, "delete my data")
    assert asked.startswith("I can't see any saved answers from this chat. If you saved answers in another chat, "
                            "type the reference code you were given then")
    wrong = bot.text(newcomer, "D-AAAA-AAAA")
    assert wrong.startswith("I couldn't find saved answers with the code D-AAAA-AAAA. Please check it")
    typed = code.lower().replace("-", " ")  # "d 7qka x3mp"
    found = bot.text(newcomer, typed)
    assert re.match(r"I found feedback saved on \d+ \w+ \d{4} with that code \(4 answers\)\. Shall I delete it\?", found)
    assert bot.text(newcomer, "no") == "OK, I haven't deleted anything."
    assert submission_of(bot, code) is not None

    bot.text(newcomer, "delete my data")
    assert bot.text(newcomer, code).startswith("I found feedback saved on")
    done = bot.text(newcomer, "yes")
    assert done.startswith("Done. I've deleted feedback saved with that code (4 answers) and this chat's log.")
    assert submission_of(bot, code) is None
    assert events(bot, newcomer) == 0 and events(bot, sender) > 0  # the chat where it was saved keeps its log
    bot.text(newcomer, "delete my data")
    assert bot.text(newcomer, code).startswith("I couldn't find saved answers with the code")


def test_what_the_chat_says_about_data_is_made_from_the_settings(bot, sender):
    org = load(ROOT / "organisation.yml")
    days = int(bot.env.get("RETENTION_DAYS") or 180)
    assert bot.text(sender, "what do you do with my answers?") == privacy.privacy_info(org.name, False, "rest", days)
    before = (count(bot, "submission"), count(bot, "answer"))
    bot.text(sender, "I want to give feedback about my care")
    bot.text(sender, "4")
    # asked mid-flow, the same answer, then the question again
    digression = bot.text(sender, "who can read my responses?")
    assert digression.startswith(privacy.privacy_info(org.name, False, "rest", days)) and "works well" in digression
    for answer in ("Friendly staff", "skip"):
        bot.text(sender, answer)
    assert privacy.consent_prompt(days) in bot.text(sender, "skip")
    refused = bot.text(sender, "no")
    assert refused == privacy.not_saved(days) and f"deleted after {days} days" in refused
    assert (count(bot, "submission"), count(bot, "answer")) == before  # no answer row
    assert events(bot, sender) > 0  # ... and the chat log is kept, as the reply says


# --- with the Slack handoff on --------------------------------------------------------------------

def send_to_team(bot, api, sender: str, question: str) -> str:
    """Ask, ask for a person, agree; the thread's ts."""
    bot.text(sender, question)
    prompt = bot.text(sender, "can I talk to a real person please")
    assert privacy.days() == 180 and "I keep it and the team's replies for 180 days" in prompt
    start = len(api.posts)
    assert "Your reference is H-" in bot.text(sender, "yes")
    return api.wait_for(start + 1)[start]["ts"]


def test_deleting_a_chat_with_the_team_removes_the_request_replies_and_relay(staffed, sender):
    bot, api = staffed
    question = f"Can my carer come to the panel? {uuid.uuid4().hex[:4]}"
    thread = send_to_team(bot, api, sender, question)
    assert signed_post(bot, thread_reply("Yes, of course.", thread), "application/json") == 200
    assert "Yes, of course." in bot.text(sender, "thanks")  # the reply arrives (and "thanks" goes to the thread)
    assert "ended the chat" in bot.text(sender, "/end_handoff")
    asked = bot.text(sender, "delete my data")
    assert "1 request to talk to a person with the team's replies" in asked
    kept = bot.rows("SELECT COUNT(*) FROM unanswered_question WHERE text = :q", q=question)[0][0]
    done = bot.text(sender, "yes")
    assert done.startswith("Done. I've deleted 1 request to talk to a person with the team's replies"
                           + (", 1 question I couldn't answer" if kept else "") + " and this chat's log.")
    assert "What was already sent to the team in Slack stays in Slack" in done
    assert bot.rows("SELECT COUNT(*) FROM handoff_request WHERE question = :q", q=question) == [(0,)]
    assert bot.rows("SELECT COUNT(*) FROM unanswered_question WHERE text = :q", q=question) == [(0,)]
    assert bot.rows("SELECT COUNT(*) FROM handoff_message") == [(0,)]


def test_deleting_while_the_team_has_not_replied_closes_the_thread(staffed, sender):
    bot, api = staffed
    thread = send_to_team(bot, api, sender, f"Who runs the readers' group? {uuid.uuid4().hex[:4]}")
    bot.text(sender, "delete my data")
    assert "1 request to talk to a person" in bot.text(sender, "yes")
    key = f"rest:{sender}"
    assert bot.rows("SELECT COUNT(*) FROM handoff_request WHERE conversation = :k", k=key) == [(0,)]
    start = len(api.posts)
    assert signed_post(bot, thread_reply("Hello, are you there?", thread), "application/json") == 200
    assert "won't see this reply" in api.wait_for(start + 1)[start]["text"]
    assert bot.rows("SELECT COUNT(*) FROM handoff_message") == [(0,)]
    assert "Hello, are you there?" not in bot.text(sender, "hello")


def test_delete_my_data_when_asked_whether_to_send_sends_nothing(staffed, sender):
    bot, api = staffed
    bot.text(sender, "How often does the panel meet?")
    assert "Shall I send it?" in bot.text(sender, "talk to a person")
    start = len(api.posts)
    asked = bot.text(sender, "delete my data")
    assert asked.startswith("I can't see any saved answers from this chat.")
    assert bot.text(sender, "no") == "OK, I haven't deleted anything.\n" + handoff.CONSENT_RETRY  # asked again
    assert bot.text(sender, "no").startswith(handoff.NOT_SENT)
    assert len(api.posts) == start  # nothing was sent
