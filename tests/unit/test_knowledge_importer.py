"""The knowledge importer gives Rasa everything a topic needs, from the topic's file alone."""
import shutil

import yaml

from bot.rasa_ext.knowledge_importer import KnowledgeImporter
from bot.settings import ROOT


def importer(knowledge_dir=None):
    return KnowledgeImporter(str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")],
                             knowledge_dir=str(knowledge_dir) if knowledge_dir else None)


def rule_steps(stories):
    return {tuple(str(e) for e in step.events) for step in stories.story_steps}


def test_every_topic_gets_its_intent_examples_answers_and_rules():
    imp = importer()
    domain, nlu, stories = imp.get_domain(), imp.get_nlu_data(), imp.get_stories()
    names = [s.block_name for s in stories.story_steps]
    for t in imp.topics:
        assert t.id in domain.intents
        assert f"utter_{t.id}" in domain.responses and f"utter_more_{t.id}" in domain.responses
        assert {m.get("text") for m in nlu.intent_examples if m.get("intent") == t.id} == set(t.examples)
        assert t.id in names and f"more on {t.id}" in names
    # the rest of the project's data is still there
    assert "greet" in domain.intents and "utter_greet" in domain.responses
    assert any(m.get("intent") == "greet" for m in nlu.intent_examples)


def test_the_answer_is_rendered_with_its_source_and_buttons():
    imp = importer()
    reply = imp.get_domain().responses["utter_benefits"][0]
    benefits = next(t for t in imp.topics if t.id == "benefits")
    assert reply["text"].startswith(benefits.text("answer", imp.org.region)[:40])
    assert reply["text"].endswith(f"Source: {benefits.text('source', imp.org.region)}")
    assert reply["buttons"][0] == {"title": "Tell me more", "payload": '/tell_me_more{{"topic":"benefits"}}'}


def test_dropping_in_a_new_topic_file_adds_the_topic(tmp_path):
    shutil.copytree(ROOT / "data" / "knowledge", tmp_path / "k")
    new = yaml.safe_load((ROOT / "data" / "knowledge" / "lessons_learned.yml").read_text())
    new.update(id="peer_support", title="Peer support", related=["benefits"],
               examples="\n".join(f"- what is peer support number {i}" for i in range(12)))
    (tmp_path / "k" / "peer_support.yml").write_text(yaml.safe_dump(new, sort_keys=False))
    imp = importer(tmp_path / "k")
    assert "peer_support" in imp.get_domain().intents
    assert "utter_more_peer_support" in imp.get_domain().responses
    assert "peer_support" in [s.block_name for s in imp.get_stories().story_steps]
    assert sum(m.get("intent") == "peer_support" for m in imp.get_nlu_data().intent_examples) == 12
