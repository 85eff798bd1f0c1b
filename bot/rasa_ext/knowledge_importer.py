"""KnowledgeImporter: Rasa's training data plus everything derived from `data/knowledge/`.

Named in config.yml (`importers:`), it reads the project's files as RasaFileImporter does and
adds, for every topic file: the intent and its examples, `utter_<id>` and `utter_more_<id>`
(rendered with the organisation's profile, `organisation.yml`), the rule question -> answer and
the rule answer -> "tell me more" -> follow-up. Nothing about a topic is written elsewhere.
A broken topic file stops training with a list of what is wrong.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import rasa.shared.utils.common
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import answers, knowledge, organisation


def _escape(text: str) -> str:
    """Rasa fills {slot} placeholders in responses: literal braces are written doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def domain_dict(topics: List[knowledge.Topic], org: organisation.Organisation) -> Dict[str, Any]:
    """The part of the domain the topics define: intents and responses."""
    responses = {
        name: [{"text": _escape(reply.text),
                "buttons": [{"title": _escape(b["title"]), "payload": _escape(b["payload"])} for b in reply.buttons]}]
        for name, reply in answers.replies(topics, org).items()
    }
    return {"version": "3.1", "intents": [t.id for t in topics], "responses": responses}


def rules_dict(topics: List[knowledge.Topic]) -> Dict[str, Any]:
    rules = []
    for t in topics:
        rules.append({"rule": t.id, "steps": [{"intent": t.id}, {"action": f"utter_{t.id}"}]})
        rules.append({"rule": f"more on {t.id}", "steps": [
            {"action": f"utter_{t.id}"}, {"intent": "tell_me_more"}, {"action": f"utter_more_{t.id}"}]})
    return {"version": "3.1", "rules": rules}


class KnowledgeImporter(RasaFileImporter):
    def __init__(self, config_file: Optional[Text] = None, domain_path: Optional[Text] = None,
                 training_data_paths: Optional[Any] = None, knowledge_dir: Optional[Text] = None,
                 organisation_file: Optional[Text] = None) -> None:
        super().__init__(config_file, domain_path, training_data_paths)
        self.topics = knowledge.load_topics(Path(knowledge_dir) if knowledge_dir else None)
        self.org = organisation.load(Path(organisation_file)) if organisation_file else organisation.current()

    @rasa.shared.utils.common.cached_method
    def get_domain(self) -> Domain:
        """domain.yml plus the topics' part, read once (get_stories asks for it too)."""
        return super().get_domain().merge(Domain.from_dict(domain_dict(self.topics, self.org)))

    def get_stories(self, exclusion_percentage: Optional[int] = None) -> StoryGraph:
        reader = YAMLStoryReader(self.get_domain(), source_name="data/knowledge")
        steps = reader.read_from_parsed_yaml(rules_dict(self.topics))
        return super().get_stories(exclusion_percentage).merge(StoryGraph(steps))

    @rasa.shared.utils.common.cached_method
    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        """data/nlu/ plus every topic's examples, read once (Rasa asks twice). Not combined with
        `TrainingData.merge`, which deep-copies all 13,000 examples: the data read here is new and
        shared with nothing, so the combined data takes its parts as they are."""
        examples = [Message.build(text=text, intent=t.id) for t in self.topics for text in t.examples]
        read = super().get_nlu_data(language)
        return TrainingData(training_examples=read.training_examples + examples,
                            entity_synonyms=read.entity_synonyms, regex_features=read.regex_features,
                            lookup_tables=read.lookup_tables, responses=read.responses)
