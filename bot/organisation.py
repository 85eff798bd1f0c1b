"""The organisation's profile (`organisation.yml`): its name, region, contact details, how to
join, payment, groups and support. Plain data, read once; answers combine it with the general
guidance (`bot.local_details`). The path comes from settings (`ORGANISATION_FILE`)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

from bot.errors import ConfigError

REGIONS = ("uk", "au")


@dataclass(frozen=True)
class Region:
    """What differs by country: where to get free, independent benefits advice."""

    country: str
    benefits_advice: str


REGION_INFO: Dict[str, Region] = {
    "uk": Region("the UK", "Citizens Advice (citizensadvice.org.uk)"),
    "au": Region("Australia", "the Financial Information Service of Services Australia (servicesaustralia.gov.au)"),
}


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    office_hours: str = ""
    reply_within: str = ""


@dataclass(frozen=True)
class Joining:
    who_can_join: str = ""
    how_to_join: str = ""
    link: str = ""


@dataclass(frozen=True)
class Payment:
    rates: str = ""
    covered: str = ""
    how_to_claim: str = ""
    pays_within: str = ""
    benefits_advice: str = ""


@dataclass(frozen=True)
class Group:
    name: str
    what: str = ""
    how_often: str = ""
    how_they_meet: str = ""


@dataclass(frozen=True)
class Organisation:
    name: str
    region: str = "uk"
    demo: bool = False
    contact: Contact = field(default_factory=Contact)
    joining: Joining = field(default_factory=Joining)
    payment: Payment = field(default_factory=Payment)
    groups: Tuple[Group, ...] = ()
    support: Tuple[str, ...] = ()
    research_contact: str = ""

    @property
    def region_info(self) -> Region:
        return REGION_INFO[self.region]


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    raise ConfigError(f"organisation profile: {where} should be a piece of text, got {type(value).__name__}")


def _section(part: Any, key: str, cls: Any) -> Any:
    part = part or {}
    if not isinstance(part, Mapping):
        raise ConfigError(f"organisation profile: '{key}' should be a section with named fields")
    known = set(cls.__dataclass_fields__)
    unknown = sorted(set(part) - known)
    if unknown:
        raise ConfigError(f"organisation profile: unknown field(s) in '{key}': {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(known))})")
    return cls(**{k: _text(v, f"{key}.{k}") for k, v in part.items()})


def parse(raw: Any) -> Organisation:
    """Build the profile from the loaded YAML, with a clear message for each mistake."""
    if not isinstance(raw, Mapping):
        raise ConfigError("organisation profile: the file should hold named fields (name, region, contact, ...)")
    name = _text(raw.get("name"), "name")
    if not name:
        raise ConfigError("organisation profile: 'name' is required")
    region = _text(raw.get("region") or "uk", "region").lower()
    if region not in REGIONS:
        raise ConfigError(f"organisation profile: region must be one of {', '.join(REGIONS)}, got {region!r}")
    groups = []
    for i, item in enumerate(raw.get("groups") or []):
        if not isinstance(item, Mapping) or not _text(item.get("name"), f"groups[{i}].name"):
            raise ConfigError(f"organisation profile: group {i + 1} needs at least a name")
        groups.append(_section(item, f"groups[{i + 1}]", Group))
    support = tuple(_text(s, "support") for s in (raw.get("support") or []) if _text(s, "support"))
    return Organisation(
        name=name, region=region, demo=bool(raw.get("demo", False)),
        contact=_section(raw.get("contact"), "contact", Contact),
        joining=_section(raw.get("joining"), "joining", Joining),
        payment=_section(raw.get("payment"), "payment", Payment), groups=tuple(groups), support=support,
        research_contact=_text(raw.get("research_contact"), "research_contact"),
    )


def load(path: Path, overrides: Optional[Mapping[str, str]] = None) -> Organisation:
    """Read the profile; `overrides` (name, phone, email, office_hours: from the environment) win."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"organisation profile not found at {path} (set ORGANISATION_FILE)") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"organisation profile {path} is not valid YAML: {exc}") from exc
    org = parse(raw)
    overrides = dict(overrides or {})
    contact = {k: v for k, v in overrides.items() if k in ("phone", "email", "office_hours") and v}
    if contact:
        org = replace(org, contact=replace(org.contact, **contact))
    if overrides.get("name"):
        org = replace(org, name=overrides["name"])
    return org


def demo_warning(org: Organisation, on_loopback: bool) -> Optional[str]:
    """What `make run` prints when the demo profile would be shown to the public."""
    if org.demo and not on_loopback:
        return (f"!! The assistant is answering with the DEMO organisation profile ({org.name}) on an address "
                "other people can reach. Put your own details in organisation.yml (or ORGANISATION_FILE) "
                "and set demo: false; see README, 'Make it yours'.")
    return None


@lru_cache(maxsize=1)
def current() -> Organisation:
    """The profile named by the settings, read once per process."""
    from bot.settings import settings

    s = settings()
    return load(s.organisation_file, dict(s.organisation_overrides))
