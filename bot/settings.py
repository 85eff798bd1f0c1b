"""Every setting comes from the environment, read here and nowhere else.

Defaults are safe for a laptop: everything on loopback, SQLite in `var/`, the Rasa HTTP
API off, no staff token (so the staff report endpoint is disabled until one is set).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Tuple

from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _list(env: Mapping[str, str], name: str, default: str) -> Tuple[str, ...]:
    raw = env.get(name, default)
    return tuple(part.strip() for part in raw.split(",") if part.strip())


ORGANISATION_OVERRIDES = (("name", "ORG_NAME"), ("phone", "CONTACT_PHONE"), ("email", "CONTACT_EMAIL"),
                          ("office_hours", "OFFICE_HOURS"))


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.x, ::1, localhost)."""
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass(frozen=True)
class Settings:
    """The assistant's configuration; build it with `load_settings()`."""

    database_url: str
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    action_server_url: str = ""
    allowed_origins: Tuple[str, ...] = ()
    staff_token: Optional[str] = None
    session_secret: str = ""
    # bearer token for the REST channel; without one it answers only on a loopback address
    rest_token: Optional[str] = None
    organisation_file: Path = field(default=ROOT / "organisation.yml")
    knowledge_dir: Path = field(default=ROOT / "data" / "knowledge")
    # ORG_NAME, CONTACT_PHONE, CONTACT_EMAIL, OFFICE_HOURS override the profile's values
    organisation_overrides: Tuple[Tuple[str, str], ...] = ()
    retention_days: int = 180
    # Slack: the bot token (also used to post handoffs), the Web API base (a stand-in in tests) and
    # the channel id where requests to talk to a person go (HANDOFF_SLACK_CHANNEL; off when unset)
    slack_token: Optional[str] = None
    slack_api_url: str = "https://slack.com/api/"
    handoff_slack_channel: Optional[str] = None
    lock_store_url: Optional[str] = None
    model_dir: Path = field(default=ROOT / "models")

    @property
    def on_loopback(self) -> bool:
        """Only this machine can reach the servers (127.x, ::1 or localhost)."""
        return is_loopback(self.host)

    @property
    def handoff_on(self) -> bool:
        """Requests to talk to a person go to staff in Slack (channel and token both set)."""
        return bool(self.handoff_slack_channel and self.slack_token)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Read the environment once; tests pass their own mapping."""
    env = os.environ if env is None else env
    host = env.get("COPROD_HOST", "127.0.0.1")
    rasa_port = _int(env, "RASA_PORT", 5005)
    action_port = _int(env, "ACTION_PORT", 5055)
    web_port = _int(env, "WEB_PORT", 8080)
    default_db = f"sqlite:///{ROOT / 'var' / 'coprod.db'}"
    origins_default = f"http://{host}:{web_port},http://localhost:{web_port}"
    return Settings(
        database_url=env.get("DATABASE_URL") or default_db,
        host=host,
        rasa_port=rasa_port,
        action_port=action_port,
        web_port=web_port,
        action_server_url=env.get("ACTION_SERVER_URL") or f"http://{host}:{action_port}/webhook",
        allowed_origins=_list(env, "ALLOWED_ORIGINS", origins_default),
        staff_token=env.get("STAFF_TOKEN") or None,
        session_secret=env.get("SESSION_SECRET", ""),
        rest_token=env.get("REST_TOKEN") or None,
        organisation_file=Path(env.get("ORGANISATION_FILE") or ROOT / "organisation.yml"),
        knowledge_dir=Path(env.get("KNOWLEDGE_DIR") or ROOT / "data" / "knowledge"),
        organisation_overrides=tuple((key, env[name]) for key, name in ORGANISATION_OVERRIDES if env.get(name)),
        retention_days=_int(env, "RETENTION_DAYS", 180),
        slack_token=env.get("SLACK_TOKEN") or None,
        slack_api_url=env.get("SLACK_API_URL") or "https://slack.com/api/",
        handoff_slack_channel=env.get("HANDOFF_SLACK_CHANNEL") or None,
        lock_store_url=env.get("LOCK_STORE_URL") or None,
        model_dir=Path(env.get("MODEL_DIR", str(ROOT / "models"))),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (read on first use, not at import)."""
    return load_settings()
