"""Knowing when we don't know: which kind reply a low-confidence parse gets (bot.fallback)."""
from bot import fallback
from bot.fallback import decide, outcome
from bot.settings import settings


def r(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def test_two_close_topics_are_offered():
    d = decide(r(("nlu_fallback", 0.45), ("when_to_coproduce", 0.4), ("when_not_to_coproduce", 0.35), ("greet", 0.05)))
    assert d.kind == "disambiguate" and d.topics == ("when_to_coproduce", "when_not_to_coproduce")
    assert [b["payload"] for b in d.buttons()][:2] == ["/when_to_coproduce", "/when_not_to_coproduce"]


def test_on_topic_but_no_confident_topic_is_not_covered_with_the_closest_topic_and_a_person():
    d = decide(r(("benefits", 0.2), ("cost_and_savings", 0.1), ("limitations", 0.1), ("six_principles", 0.1),
                 ("greet", 0.1), ("out_of_scope", 0.3)))
    assert d.kind == "not_covered"
    assert d.topics == ("benefits",)  # only topics likely enough are offered
    assert d.best_guess == "benefits"  # the theme it is kept under
    assert d.buttons()[-1]["payload"] == "/human_handoff"
    assert "don't have a good answer" in fallback.reply_text(d, kept=True)
    # the reply says the question was kept only when it was
    assert "kept your question" in fallback.reply_text(d, kept=True)
    assert "kept" not in fallback.reply_text(d, kept=False)


def test_not_covered_without_a_plausible_topic_offers_only_a_person():
    d = decide(r(("benefits", 0.1), ("limitations", 0.1), ("six_principles", 0.1), ("four_cos", 0.1),
                 ("greet", 0.1), ("out_of_scope", 0.4)))
    assert d.kind == "not_covered" and d.topics == ()
    assert [b["payload"] for b in d.buttons()] == ["/human_handoff"]
    kept = fallback.KEPT.format(days=settings().retention_days)
    assert fallback.reply_text(d, kept=True) == fallback.NOT_COVERED + kept + fallback.PERSON_ONLY
    assert "deleted after 180 days" in kept


def test_mostly_out_of_scope_is_outside_what_we_help_with():
    d = decide(r(("out_of_scope", 0.7), ("benefits", 0.2), ("greet", 0.1)))
    assert d.kind == "out_of_scope"
    assert "outside what I can help with" in fallback.reply_text(d, kept=True)
    assert decide([]).kind == "out_of_scope"


def test_outcome_names_what_the_assistant_does():
    assert outcome("benefits", []) == "answer:benefits"
    assert outcome("human_handoff", []) == "flow:human_handoff"
    assert outcome("out_of_scope", []) == "out_of_scope"
    assert outcome("greet", []) == "conversation"
    assert outcome("nlu_fallback", r(("out_of_scope", 0.9))) == "out_of_scope"


def test_the_models_own_not_covered_class_says_so_and_offers_the_closest_topics():
    # two topics close enough that a low-confidence parse would ask "did you mean": when the model's
    # best guess is "on topic, but no topic answers it", the honest reply is "not covered yet"
    ranking = r(("not_covered", 0.45), ("involvement_groups", 0.3), ("how_to_get_involved", 0.2),
                ("out_of_scope", 0.05))
    d = decide(ranking)
    assert d.kind == "not_covered"
    assert d.topics == ("involvement_groups", "how_to_get_involved")
    assert d.best_guess == "involvement_groups"  # kept under the closest topic's theme
    assert outcome("not_covered", ranking) == "not_covered"
    # the same ranking without the not-covered class on top still asks which topic was meant
    assert decide(r(("nlu_fallback", 0.45), ("involvement_groups", 0.3), ("how_to_get_involved", 0.2))).kind \
        == "disambiguate"


def test_a_confident_topic_is_answered_only_with_enough_evidence_from_its_examples():
    below = fallback.below_topic_threshold
    assert not below("benefits", 0.9, 0.6)  # no evidence known (other classifiers): confidence alone
    assert not below("benefits", 0.9, 0.6, evidence=0.2, min_evidence=0.2)
    assert below("benefits", 0.9, 0.6, evidence=0.19, min_evidence=0.2)
    assert below("benefits", 0.5, 0.6, evidence=0.9, min_evidence=0.2)
    assert not below("greet", 0.9, 0.6, evidence=0.0, min_evidence=0.2)  # conversation: Rasa's own threshold


def test_a_confident_topic_without_evidence_is_not_covered_with_that_topic_offered():
    # what action_fallback says to a parse the evidence gate turned down: the topic is one click away
    d = decide(r(("nlu_fallback", 0.3), ("research_involvement", 0.85), ("out_of_scope", 0.05), ("not_covered", 0.02)))
    assert d.kind == "not_covered" and d.topics == ("research_involvement",)
