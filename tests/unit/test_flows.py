from bot import flows
from bot.principles import PRINCIPLES

NOW = "2026-11-23T10:00:00"


def run(state, *texts, intent=None, confidence=0.0):
    out = None
    for text in texts:
        out = flows.handle(state, text, intent, confidence, NOW)
        state = out.state
    return out


def test_self_check_asks_role_unless_known():
    out = flows.start("self_check", "rest", None, NOW)
    assert out.state["flow"] == "role"
    assert len(out.replies[0]["buttons"]) == 2
    out = flows.handle(out.state, "I work in the service", None, 0, NOW)
    assert out.state["flow"] == "staff_check" and out.state["role"] == "staff"
    out = flows.handle(flows.start("self_check", "rest", None, NOW).state, "I care for my mum", None, 0, NOW)
    assert out.state["flow"] == "consumer_check"


def test_staff_check_full_run_with_examples_skips_and_consent():
    out = flows.start("self_check", "slack", "staff", NOW)
    state = out.state
    assert "Which service or team" in out.replies[0]["text"]
    out = run(state, "Ward 4")
    for i, p in enumerate(PRINCIPLES):
        assert f"Statement {i + 1} of 6" in out.replies[0]["text"]
        assert len(out.replies[0]["buttons"]) <= 5
        out = flows.handle(out.state, "5" if i < 2 else "two", None, 0, NOW)
        if i < 2:
            assert "example" in out.replies[0]["text"]
            out = flows.handle(out.state, "skip" if i == 0 else "We run a peer group", None, 0, NOW)
    assert "Anything else" in out.replies[0]["text"]
    out = flows.handle(out.state, "skip", None, 0, NOW)
    assert "Shall I save" in out.replies[0]["text"]
    out = flows.handle(out.state, "yes", None, 0, NOW)
    sub = out.to_save
    assert sub["kind"] == "staff_check" and sub["team"] == "Ward 4" and sub["level"] == "intermediate"
    by_q = {a["question"]: a for a in sub["answers"]}
    assert by_q["p_assets"]["rating"] == 5 and by_q["p_networks"]["rating"] == 2
    assert by_q["example_assets"]["text"] is None
    assert by_q["example_capabilities"]["text"] == "We run a peer group"
    assert "example_mutuality" not in by_q
    replies = flows.saved_replies(sub, out.state, previous=25.0)
    text = replies[0]["text"]
    assert "Overall: 50 out of 100" in text and "Since your team's last check: up 25 points (was 25)." in text
    assert "Assets 100; Capabilities 100; Mutuality 25" in text and len(replies[0]["buttons"]) <= 5


def test_unreadable_answer_is_asked_again_not_stored():
    state = flows.start("self_check", "rest", "staff", NOW).state
    state = flows.handle(state, "skip", None, 0, NOW).state
    out = flows.handle(state, "purple elephants", None, 0, NOW)
    assert out.state == state and "didn't catch" in out.replies[0]["text"]
    assert "p_assets" not in out.state["answers"]


def test_back_changes_the_last_answer():
    state = flows.start("self_check", "rest", "staff", NOW).state
    state = run(state, "skip", "2").state
    assert state["answers"]["p_assets"] == 2
    out = flows.handle(state, "go back", None, 0, NOW)
    assert "p_assets" not in out.state["answers"] and "Statement 1 of 6" in out.replies[0]["text"]
    out = flows.handle(out.state, "3", None, 0, NOW)
    assert out.state["answers"]["p_assets"] == 3


def test_stop_discards_everything():
    state = flows.start("feedback", "rest", None, NOW).state
    out = run(state, "4", "stop")
    assert out.state is None and out.to_save is None and out.finished


def test_refused_consent_saves_nothing():
    state = flows.start("feedback", "rest", None, NOW).state
    out = run(state, "good", "friendly staff", "skip", "skip", "no")
    assert out.state is None and out.to_save is None


def test_digression_answers_then_reasks_same_question():
    state = flows.start("self_check", "rest", "consumer", NOW).state
    out = flows.handle(state, "what is co-design?", "coproduction_vs_codesign", 0.9, NOW)
    assert out.digression == "utter_coproduction_vs_codesign"
    assert out.state == state and "Statement 1 of 6" in out.replies[0]["text"]


def test_consumer_check_choices():
    state = flows.start("self_check", "web", "consumer", NOW).state
    out = run(state, "1", "2", "3", "4", "5", "not really")
    assert "matters most" in out.replies[0]["text"] and len(out.replies[0]["buttons"]) == 5
    out = run(out.state, "making friends", "monthly", "skip", "yes")
    answers = {a["question"]: a for a in out.to_save["answers"]}
    assert answers["matters_most"]["choice"] == "Meeting people and making friends"
    assert answers["contribute"]["choice"] == "A few hours a month"
    assert answers["c_networks"]["rating"] == 4 and answers["c_catalysts"]["rating"] == 2


# --- the role can change at any time (issue #16, part 7) ---------------------------------------

def test_feedback_does_not_make_the_role_known():
    """Giving feedback says nothing about the person's role, so it must not be remembered."""
    state = flows.start("feedback", "rest", None, NOW).state
    assert state["role"] == "consumer" and state["role_known"] is False
    out = run(state, "good", "skip", "skip", "skip", "yes")
    assert out.to_save["role"] == "consumer" and out.state["role_known"] is False


def test_a_remembered_role_is_used_and_says_how_to_change_it():
    out = flows.start("self_check", "rest", "consumer", NOW)
    assert out.state["flow"] == "consumer_check" and out.state["role_known"] is True
    assert "If you work in the service, just say 'I work in the service'." in out.replies[0]["text"]
    out = flows.start("self_check", "rest", None, NOW)
    assert "just say" not in out.replies[0]["text"]  # asked, not remembered
    out = flows.handle(out.state, "I use the service or care for someone who does", None, 0, NOW)
    assert "just say" not in out.replies[0]["text"] and out.state["role_known"] is True


def test_saying_i_work_in_the_service_mid_consumer_check_restarts_as_staff_not_a_knowledge_answer():
    state = flows.start("self_check", "rest", "consumer", NOW).state
    state = run(state, "4", "3").state
    assert state["answers"] == {"c_assets": 4, "c_capabilities": 3}
    # the classifier takes it for a knowledge question with high confidence: the flow still wins
    out = flows.handle(state, "I work in the service", "role_of_professionals", 0.9, NOW)
    assert out.digression is None and out.to_save is None
    assert out.state["flow"] == "staff_check" and out.state["role"] == "staff" and out.state["role_known"] is True
    assert out.state["answers"] == {} and out.state["submission_id"] != state["submission_id"]
    text = out.replies[0]["text"]
    assert text.startswith("Thank you for telling me. I'll ask the questions for people who work in the service instead")
    assert "your answers so far won't be saved" in text and "Which service or team" in text
    # and back again
    out = flows.handle(out.state, "Actually, I use the service", None, 0, NOW)
    assert out.state["flow"] == "consumer_check" and "Statement 1 of 6" in out.replies[0]["text"]


def test_saying_the_same_role_again_confirms_and_keeps_the_answers():
    state = run(flows.start("self_check", "rest", "staff", NOW).state, "Ward 4", "2").state
    out = flows.handle(state, "I'm staff", None, 0, NOW)
    assert out.state["answers"] == state["answers"] and out.state["flow"] == "staff_check"
    assert out.replies[0]["text"].startswith("Yes, these are the questions for people who work in the service.")
    assert "Statement 2 of 6" in out.replies[0]["text"]


def test_a_role_statement_in_a_free_text_answer_only_counts_when_it_changes_the_role():
    state = flows.start("self_check", "rest", "staff", NOW).state  # first question: the team (free text)
    out = flows.handle(state, "I work in the service", None, 0, NOW)
    assert out.state["answers"] == {"team": "I work in the service"}  # same role: it is the answer
    out = flows.handle(state, "I use the service", None, 0, NOW)
    assert out.state["flow"] == "consumer_check"
    # a comment that merely mentions work is a comment
    state = run(flows.start("self_check", "rest", "consumer", NOW).state, "1", "2", "3", "4", "5", "1",
                "someone to talk to", "monthly").state
    out = flows.handle(state, "I work in the service's kitchen on Tuesdays", None, 0, NOW)
    assert out.state["flow"] == "consumer_check" and "Shall I save" in out.replies[0]["text"]
    # "Staff" is a fair answer to "What works well for you?", not a role
    state = run(flows.start("feedback", "rest", None, NOW).state, "4").state
    out = flows.handle(state, "Staff", None, 0, NOW)
    assert out.state["role"] == "consumer" and out.state["answers"]["works"] == "Staff"


def test_role_change_during_feedback_is_noted_and_stored():
    state = run(flows.start("feedback", "rest", None, NOW).state, "4").state
    out = flows.handle(state, "I work in the service", None, 0, NOW)
    assert out.state["role"] == "staff" and out.state["role_known"] is True
    assert out.state["answers"] == state["answers"]
    assert out.replies[0]["text"].startswith("Thank you, I've noted that you work in the service.")
    out = run(out.state, "skip", "skip", "skip", "yes")
    assert out.to_save["role"] == "staff" and out.to_save["kind"] == "feedback"
