from bot.fallback import decide


def test_two_close_topics_are_offered():
    d = decide([{"name": "nlu_fallback", "confidence": 0.45}, {"name": "when_to_coproduce", "confidence": 0.4},
                {"name": "when_not_to_coproduce", "confidence": 0.35}, {"name": "greet", "confidence": 0.05}])
    assert d.kind == "disambiguate" and d.topics == ("when_to_coproduce", "when_not_to_coproduce")
    assert [b["payload"] for b in d.buttons()][:2] == ["/when_to_coproduce", "/when_not_to_coproduce"]


def test_noise_or_non_topic_is_not_understood():
    assert decide([{"name": "greet", "confidence": 0.3}, {"name": "benefits", "confidence": 0.2}]).kind == "not_understood"
    assert decide([{"name": "benefits", "confidence": 0.05}, {"name": "limitations", "confidence": 0.04}]).kind == "not_understood"
    assert decide([]).kind == "not_understood"
