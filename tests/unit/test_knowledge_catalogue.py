"""The knowledge catalogue (data/knowledge/): complete, consistent, plain, our own words,
and a broken topic file is caught with a message that says what to fix."""
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot import answers, knowledge, organisation

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT.parent / "shared" / "knowledge-map.md"
SEEDS = ROOT.parent / "shared" / "seeds"
HELDOUT = ROOT / "tests" / "nlu_heldout"
STORIES = ROOT / "tests" / "test_stories.yml"
MIN_HELDOUT = 8


@pytest.fixture(scope="module")
def topics():
    found, problems = knowledge.load_catalogue(ROOT / "data" / "knowledge")
    assert problems == []
    return found


def map_ids():
    """Topic ids of the knowledge map's two topic tables (not its conversation intents)."""
    text = MAP.read_text(encoding="utf-8")
    tables = text.split("## Conversation intents")[0] + text.split("## Taking part")[1]
    return set(re.findall(r"^\| `([a-z_]+)` \|", tables, flags=re.M))


# Topics of ours beyond the knowledge map, each added because people ask it (README, "Adding a
# knowledge topic"): participant_roles answers what consumer reps, Experts by Experience and the
# like are: 26 of the 234 real questions mention such roles. finding_people_to_involve (how staff
# find, recruit and choose people to involve) and budgeting_for_involvement (what to cost and where
# the money comes from) answer what staff ask most that no map topic did: the commonest themes of
# the dev split's questions labelled none.
BEYOND_THE_MAP = {"participant_roles", "finding_people_to_involve", "budgeting_for_involvement"}


def test_every_topic_of_the_knowledge_map_has_its_own_file(topics):
    if not MAP.exists():
        pytest.skip("shared/knowledge-map.md is not beside the repository")
    ids = map_ids()
    assert len(ids) == 37
    assert {t.id for t in topics} == ids | BEYOND_THE_MAP


def heldout_counts():
    counts = {}
    for path in HELDOUT.glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            counts[block["intent"]] = counts.get(block["intent"], 0) + block["examples"].count("\n- ") + 1
    return counts


def test_every_topic_has_held_out_phrasings_and_a_test_story(topics):
    counts = heldout_counts()
    stories = yaml.safe_load(STORIES.read_text())["stories"]
    answered = {step["action"] for s in stories for step in s["steps"] if "action" in step}
    for t in topics:
        assert counts.get(t.id, 0) >= MIN_HELDOUT, f"{t.id}: needs {MIN_HELDOUT} held-out phrasings"
        assert f"utter_{t.id}" in answered, f"{t.id}: needs a test story in tests/test_stories.yml"


def test_held_out_phrasings_are_not_training_examples(topics):
    training = {e.lower() for t in topics for e in t.examples}
    for path in HELDOUT.glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in block["examples"].splitlines():
                assert line.strip()[2:].strip().lower() not in training, line


def test_every_body_is_plain_english_and_short(topics):
    import textstat

    for t in topics:
        for field, region, text in t.bodies():
            where = f"{t.id} {field} {region}"
            assert 60 <= knowledge.word_count(text) <= 120, where
            assert textstat.flesch_reading_ease(text) >= 60, f"{where}: reading ease below 60"


def words(text):
    return re.findall(r"[a-z0-9']+", text.lower())


def shingles(ws, n=10):
    return {" ".join(ws[i:i + n]) for i in range(len(ws) - n + 1)}


def test_no_answer_shares_ten_words_in_a_row_with_its_sources(topics):
    sources = list((ROOT / "tests" / "source_texts").glob("*.txt")) + list(SEEDS.glob("*.txt"))
    assert sources
    seen = set()
    for path in sources:
        seen |= shingles(words(path.read_text(encoding="utf-8", errors="ignore")))
    for t in topics:
        for field, region, text in t.bodies():
            assert not shingles(words(text)) & seen, f"{t.id} {field} {region}: copied run"


def test_every_topic_with_sources_names_the_pages_behind_it(topics):
    for t in topics:
        assert t.sources, t.id
        assert all(s.startswith(("https://", "http://", "shared/seeds/")) for s in t.sources), t.id
        if not any(s.startswith("shared/seeds/") for s in t.sources):
            assert (ROOT / "tests" / "source_texts" / f"{t.id}.txt").exists(), f"{t.id}: save the passages relied on"


def test_buttons_that_ask_a_topic_use_its_title(topics):
    titles = {t.id: t.title for t in topics}
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    buttons = [b for rs in domain["responses"].values() for r in rs for b in r.get("buttons") or []]
    org = organisation.load(ROOT / "organisation.yml")
    buttons += [b for reply in answers.replies(topics, org).values() for b in reply.buttons]
    checked = 0
    for b in buttons:
        target = b["payload"].lstrip("/")
        if target in titles:
            checked += 1
            assert b["title"] == titles[target], b
    assert checked > len(topics)


# ---- a broken file is caught, with a message that says what is wrong ----

def broken_copy(tmp_path, name, edit):
    shutil.copytree(ROOT / "data" / "knowledge", tmp_path / "k")
    path = tmp_path / "k" / f"{name}.yml"
    raw = yaml.safe_load(path.read_text())
    edit(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return knowledge.load_catalogue(tmp_path / "k")[1]


@pytest.mark.parametrize("edit, message", [
    (lambda r: r.pop("source"), "benefits.yml: missing key 'source'"),
    (lambda r: r.update(related=["no_such_topic"]), "related id 'no_such_topic' is not a topic"),
    (lambda r: r.update(title="What is co-production?"), "button title 'what is co-production?' is used by two topics"),
    (lambda r: r.update(examples="- only one"), "needs at least 10 examples"),
    (lambda r: r.update(answer="Too short."), "answer has 2 words"),
    (lambda r: r.update(local="weather"), "unknown local section 'weather'"),
    (lambda r: r.update(answer={"uk": r["answer"]}), "'answer' per region needs exactly uk, au"),
    (lambda r: r.update(colour="blue"), "unknown key 'colour'"),
])
def test_a_broken_topic_file_is_reported(tmp_path, edit, message):
    problems = broken_copy(tmp_path, "benefits", edit)
    assert any(message in p for p in problems), problems


def test_a_topic_file_that_is_not_yaml_is_reported_and_training_refuses(tmp_path):
    shutil.copytree(ROOT / "data" / "knowledge", tmp_path / "k")
    (tmp_path / "k" / "benefits.yml").write_text("id: benefits\nanswer: [unclosed\n")
    assert any("benefits.yml: not valid YAML" in p for p in knowledge.load_catalogue(tmp_path / "k")[1])
    with pytest.raises(Exception, match="benefits.yml"):
        knowledge.load_topics(tmp_path / "k")
