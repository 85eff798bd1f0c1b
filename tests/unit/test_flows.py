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
    assert "up" in replies[0]["text"] and len(replies[0]["buttons"]) <= 5


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
