"""The knowledge catalogue: one YAML file per topic in `data/knowledge/`, the only place a
topic lives. This module reads and checks the files; `bot.answers` turns a topic and the
organisation's profile into what the assistant says, and `bot.rasa_ext.knowledge_importer`
gives Rasa the intents, responses and rules derived from them.

Keys of a topic file (README, "Adding a topic"): id, title, examples, answer, more (optional),
source, more_source (optional), sources, related, next (optional), local (optional).
`answer`, `more`, `source` and `more_source` may be one text or one per region (`uk:`, `au:`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import yaml

from bot.errors import ConfigError
from bot.local_details import SECTIONS
from bot.organisation import REGIONS

REQUIRED = ("id", "title", "examples", "answer", "source", "sources", "related")
OPTIONAL = ("more", "more_source", "next", "local")
NEXT_STEPS = {"self_check": ("Take the self-check", "/start_self_check"),
              "feedback": ("Give feedback", "/give_feedback"),
              "person": ("Talk to a person", "/human_handoff")}
MIN_EXAMPLES = 10
MAX_TITLE = 40
WORDS = (60, 120)

Regional = Union[str, Dict[str, str]]
# libyaml's safe loader where PyYAML has it (25x faster: the catalogue is read at every start)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    examples: Tuple[str, ...]
    answer: Regional
    source: Regional
    sources: Tuple[str, ...]
    related: Tuple[str, ...]
    more: Optional[Regional] = None
    more_source: Optional[Regional] = None
    next: Tuple[str, ...] = ()
    local: Optional[str] = None

    def text(self, field: str, region: str) -> Optional[str]:
        """A body or citation for the region (a one-text field is the same everywhere)."""
        value = getattr(self, field)
        if isinstance(value, dict):
            return value.get(region)
        return value

    def bodies(self) -> List[Tuple[str, str, str]]:
        """(field, region, text) of every answer text, for the content checks."""
        out = []
        for name in ("answer", "more"):
            value = getattr(self, name)
            if isinstance(value, dict):
                out += [(name, region, text) for region, text in value.items()]
            elif value:
                out.append((name, "", value))
        return out


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _examples(raw: Any) -> Tuple[str, ...]:
    if isinstance(raw, str):  # Rasa's style: a block of "- phrase" lines
        lines = [line.strip() for line in raw.splitlines()]
        return tuple(line[1:].strip() for line in lines if line.startswith("-") and line[1:].strip())
    if isinstance(raw, list):
        return tuple(str(x).strip() for x in raw if str(x).strip())
    return ()


def _regional(raw: Any) -> Any:
    if isinstance(raw, Mapping):
        return {str(k): str(v).strip() for k, v in raw.items()}
    return str(raw).strip() if raw is not None else None


def _list(raw: Any) -> Tuple[str, ...]:
    if raw is None:
        return ()
    return tuple(str(x).strip() for x in (raw if isinstance(raw, list) else [raw]))


def parse(raw: Any, filename: str) -> Tuple[Optional[Topic], List[str]]:
    """A topic and the problems found in its own file (cross-topic checks are in `check`)."""
    if not isinstance(raw, Mapping):
        return None, [f"{filename}: should hold named keys ({', '.join(REQUIRED)})"]
    problems = [f"{filename}: missing key '{k}'" for k in REQUIRED if raw.get(k) in (None, "", [])]
    problems += [f"{filename}: unknown key '{k}'" for k in raw if k not in REQUIRED + OPTIONAL]
    for key in ("sources", "related", "next"):
        value = raw.get(key)
        items: List[Any] = value if isinstance(value, list) else []
        problems += [f"{filename}: '{key}' entry {i + 1} is not plain text (put it in quotes if it holds ': ')"
                     for i, x in enumerate(items) if not isinstance(x, str)]
    if problems:
        return None, problems
    topic = Topic(
        id=str(raw["id"]).strip(), title=str(raw["title"]).strip(), examples=_examples(raw["examples"]),
        answer=_regional(raw["answer"]), source=_regional(raw["source"]), sources=_list(raw["sources"]),
        related=_list(raw["related"]), more=_regional(raw.get("more")), more_source=_regional(raw.get("more_source")),
        next=_list(raw.get("next")), local=(str(raw["local"]).strip() if raw.get("local") else None),
    )
    return topic, _own_problems(topic, filename)


def _own_problems(t: Topic, filename: str) -> List[str]:
    p = []
    if f"{t.id}.yml" != filename:
        p.append(f"{filename}: id '{t.id}' should match the file name ({t.id}.yml)")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", t.id):
        p.append(f"{filename}: id '{t.id}' should be lower-case letters, digits and _")
    if len(t.title) > MAX_TITLE:
        p.append(f"{filename}: title is over {MAX_TITLE} characters (it is a button)")
    if len(t.examples) < MIN_EXAMPLES:
        p.append(f"{filename}: needs at least {MIN_EXAMPLES} examples, has {len(t.examples)}")
    for name in ("answer", "more", "source", "more_source"):
        value = getattr(t, name)
        if isinstance(value, dict) and set(value) != set(REGIONS):
            p.append(f"{filename}: '{name}' per region needs exactly {', '.join(REGIONS)}")
    for name, region, text in t.bodies():
        n = word_count(text)
        where = f"{name}" + (f" ({region})" if region else "")
        if not WORDS[0] <= n <= WORDS[1]:
            p.append(f"{filename}: {where} has {n} words (keep it {WORDS[0]}-{WORDS[1]})")
        if "Source:" in text:
            p.append(f"{filename}: {where} should not hold a 'Source:' line (use the 'source' key)")
    p += [f"{filename}: unknown next step '{n}' (use {', '.join(NEXT_STEPS)})" for n in t.next if n not in NEXT_STEPS]
    if t.local and t.local not in SECTIONS:
        p.append(f"{filename}: unknown local section '{t.local}' (use {', '.join(SECTIONS)})")
    return p


def check(topics: List[Topic]) -> List[str]:
    """Problems across topics: duplicate ids or titles, related ids that do not exist."""
    ids = [t.id for t in topics]
    problems = [f"topic id '{i}' is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    titles = [t.title.lower() for t in topics]
    problems += [f"button title '{x}' is used by two topics" for x in sorted({x for x in titles if titles.count(x) > 1})]
    known = set(ids)
    for t in topics:
        problems += [f"{t.id}.yml: related id '{r}' is not a topic" for r in t.related if r not in known]
        if t.id in t.related:
            problems.append(f"{t.id}.yml: lists itself as related")
    return problems


def load_catalogue(directory: Optional[Path] = None) -> Tuple[List[Topic], List[str]]:
    """All topics (sorted by id) and every problem found; never raises for a bad file.
    The folder is `data/knowledge/` unless the settings name another (`KNOWLEDGE_DIR`)."""
    if directory is None:
        from bot.settings import settings

        directory = settings().knowledge_dir
    topics: List[Topic] = []
    problems: List[str] = []
    for path in sorted(directory.glob("*.yml")):
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})")
            continue
        topic, own = parse(raw, path.name)
        problems += own
        if topic is not None:
            topics.append(topic)
    if not topics and not problems:
        problems.append(f"no topic files in {directory}")
    return topics, problems + check(topics)


def load_topics(directory: Optional[Path] = None) -> List[Topic]:
    """The topics, or a ConfigError listing every problem (training refuses a broken catalogue)."""
    topics, problems = load_catalogue(directory)
    if problems:
        raise ConfigError("the knowledge topics have problems:\n  " + "\n  ".join(problems))
    return topics


@lru_cache(maxsize=1)
def titles() -> Dict[str, str]:
    """Topic id -> button title, read once per process."""
    return {t.id: t.title for t in load_topics()}
