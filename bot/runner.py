"""Start and stop the assistant's processes: action server, Rasa server, web page.

Used by `python -m bot run` (make run), by the integration tests (on free ports) and
by the benchmark, so all three start the stack the same way.
"""
from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from bot.settings import ROOT, Settings, load_settings

MODEL_NAME = "coprod"
FINGERPRINT_INPUTS = ("config.yml", "domain.yml", "data", "bot/rasa_ext/flow_policy.py", "bot/rasa_ext/rule_index.py",
                      "bot/rasa_ext/intent_classifier.py", "bot/nlu_model.py", "bot/nlu_fit.py", "bot/nearest.py",
                      "bot/embeddings.py", "bot/rasa_ext/knowledge_importer.py",
                      "bot/knowledge.py", "bot/answers.py", "bot/local_details.py", "bot/organisation.py")
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "RASA_TELEMETRY_ENABLED": "false",
    "LOG_LEVEL_LIBRARIES": "ERROR",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
    "PYTHONUNBUFFERED": "1",
}


def base_env(extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The environment for every child process: quiet, no telemetry, our package importable."""
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def check_ports(settings: Settings) -> None:
    """Fail early, with the variable to change, when a port is taken."""
    for name, port in (("RASA_PORT", settings.rasa_port), ("ACTION_PORT", settings.action_port),
                       ("WEB_PORT", settings.web_port)):
        if port_in_use(settings.host, port):
            raise RuntimeError(f"port {port} is already in use; stop what uses it or set {name} to another port")


def fingerprint(root: Path = ROOT, settings: Optional[Settings] = None) -> str:
    """Hash of everything that changes the trained model, the organisation's profile included."""
    h = hashlib.sha256()
    inputs = [root / name for name in FINGERPRINT_INPUTS]
    if settings is not None:
        profile = settings.organisation_file
        h.update(profile.read_bytes() if profile.exists() else b"no profile")
        h.update(repr(settings.organisation_overrides).encode())
        if not settings.knowledge_dir.is_relative_to(root / "data"):  # KNOWLEDGE_DIR elsewhere
            inputs.append(settings.knowledge_dir)
    for path in inputs:
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml", ".py")) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(root) if f.is_relative_to(root) else f).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def model_path(settings: Settings) -> Path:
    return settings.model_dir / f"{MODEL_NAME}.tar.gz"


def train_command(out_dir: Path, model_name: str = MODEL_NAME) -> List[str]:
    """The `rasa train` command line for config.yml, domain.yml and data/ of the working directory."""
    return [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain.yml",
            "--data", "data", "--out", str(out_dir), "--fixed-model-name", model_name]


def train(settings: Settings, force: bool = False, quiet: bool = False) -> bool:
    """Train when the data or config changed (or no model exists); True if it trained."""
    target = model_path(settings)
    stamp = settings.model_dir / ".fingerprint"
    current = fingerprint(settings=settings)
    if not force and target.exists() and stamp.exists() and stamp.read_text().strip() == current:
        if not quiet:
            print(f"==> Model is up to date ({target.relative_to(ROOT) if target.is_relative_to(ROOT) else target})")
        return False
    print("==> Training the model (data or config changed)")
    settings.model_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(train_command(settings.model_dir), cwd=ROOT, env=base_env(), check=True,
                   stdout=subprocess.DEVNULL if quiet else None)
    stamp.write_text(current)
    return True


def ephemeral_settings(database_url: str, extra: Optional[Mapping[str, str]] = None) -> Settings:
    """Settings for a private stack on free loopback ports (integration tests, benchmark)."""
    return load_settings({
        "DATABASE_URL": database_url, "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()),
        "WEB_PORT": str(free_port()), **(extra or {}),
    })


def wait_http(url: str, timeout: float, proc: Optional[subprocess.Popen] = None) -> None:
    """Wait until `url` answers 200, or raise (early if the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


@dataclass
class Stack:
    """Running processes; `stop()` ends them all."""

    settings: Settings
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: Dict[str, Path] = field(default_factory=dict)

    def start_actions(self, env: Mapping[str, str]) -> None:
        s = self.settings
        cmd = [sys.executable, "-m", "bot.action_server"]
        self._spawn("actions", cmd, {**env, "ACTION_PORT": str(s.action_port), "COPROD_HOST": s.host})

    def start_rasa(self, env: Mapping[str, str], model: Optional[Path] = None, credentials: Optional[Path] = None) -> None:
        s = self.settings
        # our entry point: applies our Rasa patches (bot.rasa_ext.patches), then runs `rasa run` with these flags
        cmd = [sys.executable, "-m", "bot.rasa_ext.server", "run", "--model", str(model or model_path(s)),
               "--endpoints", str(effective_endpoints(env)), "--credentials", str(credentials or effective_credentials(env)),
               "--interface", s.host, "--port", str(s.rasa_port), "--cors", *s.allowed_origins]
        self._spawn("rasa", cmd, env)

    def _spawn(self, name: str, cmd: List[str], env: Mapping[str, str]) -> None:
        log_dir = ROOT / "var" / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{name}-{self.settings.rasa_port}.log"
        with open(log_path, "ab") as handle:  # the child keeps its own copy of the descriptor
            self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=dict(env), stdout=handle, stderr=subprocess.STDOUT,
                                                start_new_session=True)
        self.logs[name] = log_path

    def wait_ready(self, timeout: float = 120) -> None:
        s = self.settings
        if "actions" in self.procs:
            wait_http(f"http://{s.host}:{s.action_port}/health", timeout, self.procs["actions"])
        if "rasa" in self.procs:
            wait_http(f"http://{s.host}:{s.rasa_port}/webhooks/rest/", timeout, self.procs["rasa"])

    def stop(self, name: Optional[str] = None, timeout: float = 15) -> None:
        names = [name] if name else list(self.procs)
        for n in names:
            p = self.procs.get(n)
            if p and p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for n in names:
            p = self.procs.pop(n, None)
            if p is None:
                continue
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def stack_env(settings: Settings, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """Environment that makes every process agree on ports and the database."""
    env = {
        "DATABASE_URL": settings.database_url,
        "ACTION_SERVER_URL": f"http://{settings.host}:{settings.action_port}/webhook",
        "RASA_PORT": str(settings.rasa_port),
        "ACTION_PORT": str(settings.action_port),
        "WEB_PORT": str(settings.web_port),
        "COPROD_HOST": settings.host,
    }
    env.update(extra or {})
    return base_env(env)


SLACK_CHANNEL = "bot.rasa_ext.slack_channel.SafeSlackInput"


def effective_credentials(env: Mapping[str, str]) -> Path:
    """credentials.yml, plus the Slack channel when SLACK_TOKEN and SLACK_SIGNING_SECRET are set."""
    import yaml

    data = yaml.safe_load((ROOT / "credentials.yml").read_text()) or {}
    if env.get("SLACK_TOKEN") and env.get("SLACK_SIGNING_SECRET"):
        data[SLACK_CHANNEL] = {"slack_token": "${SLACK_TOKEN}", "slack_signing_secret": "${SLACK_SIGNING_SECRET}"}
    return _write_effective("credentials", data, env)


def effective_endpoints(env: Mapping[str, str]) -> Path:
    """endpoints.yml with the action server of ACTION_SERVER_URL, plus our Redis lock store when LOCK_STORE_URL is set (several Rasa servers
    must share one lock store so the messages of one conversation are processed one at a time,
    in arrival order: bot.rasa_ext.lock_store)."""
    import yaml

    data = yaml.safe_load((ROOT / "endpoints.yml").read_text()) or {}
    if env.get("ACTION_SERVER_URL"):
        data.setdefault("action_endpoint", {})["url"] = env["ACTION_SERVER_URL"]
    if env.get("LOCK_STORE_URL"):
        # the whole URL, as a reference Rasa expands from its own environment when it reads the file:
        # rediss:// (TLS), a user name and password, the db and redis-py's query options all reach the
        # store, and no password is written to disk
        data["lock_store"] = {"type": "bot.rasa_ext.lock_store.CoprodLockStore", "url": "${LOCK_STORE_URL}",
                              "key_prefix": "coprod"}
    return _write_effective("endpoints", data, env)


def _write_effective(name: str, data: dict, env: Mapping[str, str]) -> Path:
    """Write var/<name>.effective-<rasa port>.yml (one file per server, so parallel stacks don't clash),
    keeping ${VAR} references unquoted so Rasa expands them."""
    import yaml

    out = ROOT / "var" / f"{name}.effective-{env.get('RASA_PORT', 'default')}.yml"
    out.parent.mkdir(exist_ok=True)
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False)
    out.write_text(text.replace("'${", "${").replace("}'", "}"))
    return out
