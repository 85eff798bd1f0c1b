"""The organisation's profile (`organisation.yml`): its name, region, contact details, how to
join, payment, groups and support, and optionally its teams and their codes. Plain data, read
once; answers combine it with the general guidance (`bot.local_details`), and the self-check uses
the team codes (`bot.flows`). The path comes from settings (`ORGANISATION_FILE`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from bot.errors import ConfigError
from bot.parsing import is_skip

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
    office_hours: str = ""  # as people read it: "Monday to Friday, 9am to 5pm"
    reply_within: str = ""  # the longest wait for a reply: "two working days"
    # the same hours for the assistant to tell whether the team is working now (all optional)
    open_days: str = ""  # "mon-fri" or "mon,tue,thu"
    opens: str = ""  # "09:00"
    closes: str = ""  # "17:00"
    timezone: str = ""  # "Europe/London", "Australia/Sydney"
    reply_in_hours: str = ""  # the usual wait while the team is working: "an hour"


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Schedule:
    """When the team is working: weekdays (0 = Monday), opening and closing minutes, time zone."""

    days: Tuple[int, ...]
    opens: int
    closes: int
    timezone: str


def _minutes(value: str, where: str) -> int:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not match:
        raise ConfigError(f"organisation profile: contact.{where} should be a time like 09:00, got {value!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def _days(value: str) -> Tuple[int, ...]:
    days: List[int] = []
    for part in value.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if not part or len(ends) > 2 or any(e not in DAYS for e in ends):
            raise ConfigError(f"organisation profile: contact.open_days should be like 'mon-fri' or 'mon,wed', got {value!r}")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        days += list(range(first, last + 1)) if first <= last else list(range(first, 7)) + list(range(0, last + 1))
    return tuple(sorted(set(days)))


def schedule(contact: Contact) -> Optional[Schedule]:
    """The working hours, or None when the profile does not give them all (then nobody can say
    whether the team is working now)."""
    if not (contact.open_days and contact.opens and contact.closes):
        return None
    opens, closes = _minutes(contact.opens, "opens"), _minutes(contact.closes, "closes")
    if closes <= opens:
        raise ConfigError("organisation profile: contact.closes should be later than contact.opens")
    zone = contact.timezone or "UTC"
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(zone)
    except Exception as exc:
        raise ConfigError(f"organisation profile: contact.timezone {zone!r} is not a known time zone "
                          "(e.g. Europe/London)") from exc
    return Schedule(_days(contact.open_days), opens, closes, zone)


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
class Team:
    """A team staff can name in the self-check. With a code, only people who type the code see
    the team's earlier results (and their checks count as the team's); see the README."""

    name: str
    code: str = ""

    def __repr__(self) -> str:  # never print the code in a log or traceback
        return f"Team(name={self.name!r}, code={'***' if self.code else 'none'})"


MIN_CODE_LENGTH = 4


def team_key(team: Optional[str]) -> Optional[str]:
    """Case- and spacing-insensitive key so 'Ward 4' and 'ward  4 ' are the same team."""
    if not team:
        return None
    key = re.sub(r"[^a-z0-9]+", " ", team.lower()).strip()
    return key[:120] or None


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
    teams: Tuple[Team, ...] = ()

    @property
    def region_info(self) -> Region:
        return REGION_INFO[self.region]

    @property
    def team_codes(self) -> Dict[str, str]:
        """{team key: code} of the teams that have a code."""
        return {str(team_key(t.name)): t.code for t in self.teams if t.code}


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
    teams = _teams(raw.get("teams"))
    return Organisation(
        name=name, region=region, demo=bool(raw.get("demo", False)),
        contact=_section(raw.get("contact"), "contact", Contact),
        joining=_section(raw.get("joining"), "joining", Joining),
        payment=_section(raw.get("payment"), "payment", Payment), groups=tuple(groups), support=support,
        research_contact=_text(raw.get("research_contact"), "research_contact"), teams=teams,
    )


def _teams(raw: Any) -> Tuple[Team, ...]:
    """The optional `teams:` list: each a name and, optionally, a code of at least four characters."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError("organisation profile: 'teams' should be a list of teams, each with a name and a code")
    teams: List[Team] = []
    seen: Dict[str, str] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or not _text(item.get("name"), f"teams[{i + 1}].name"):
            raise ConfigError(f"organisation profile: team {i + 1} needs at least a name")
        team = _section(item, f"teams[{i + 1}]", Team)
        key = team_key(team.name)
        if key is None:
            raise ConfigError(f"organisation profile: team {i + 1} needs a name with letters or numbers")
        if key in seen:
            raise ConfigError(f"organisation profile: teams '{seen[key]}' and '{team.name}' have the same name")
        if team.code and len(team.code) < MIN_CODE_LENGTH:
            raise ConfigError(f"organisation profile: the code for team '{team.name}' should be at least "
                              f"{MIN_CODE_LENGTH} characters (a few words are best)")
        if team.code and is_skip(team.code):
            raise ConfigError(f"organisation profile: the code for team '{team.name}' is a word that means "
                              "'skip' in the chat; choose another")
        seen[key] = team.name
        teams.append(team)
    return tuple(teams)


def load(path: Path, overrides: Optional[Mapping[str, str]] = None) -> Organisation:
    """Read the profile; `overrides` (name, phone, email, office_hours: from the environment) win."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"organisation profile not found at {path} (set ORGANISATION_FILE)") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"organisation profile {path} is not valid YAML: {exc}") from exc
    org = parse(raw)
    schedule(org.contact)  # a mistake in the working hours is reported now, not mid-conversation
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
