"""Load, latency, memory and training benchmark: our stack against the `rasa init` example bot.

In one run, on this machine, over the REST channel (loopback):
  1. start our stack as `make run` does (fresh SQLite database, free ports) and time process
     start -> first answer to "what is co-production?"
  2. one user at a time: knowledge questions and complete staff self-checks; p50/p95/p99 per kind
     of turn (knowledge answer, self-check step, final save = the "yes" consent turn)
  3. 20 concurrent users mixing questions and self-checks: msg/s, percentiles, errors. Both bots
     stay up and the load alternates between them in rounds (ours, example, ours, ...), so a
     change in the machine's speed during the run affects both alike; then 100 concurrent users
     against ours alone (msg/s, p95 per kind of turn, errors: the target is 0)
  4. one long conversation: latency of message ~400 against message ~10 (of a fresh conversation
     sent at the same moment, so the machine's speed drifting in between does not count as growth)
  5. peak RSS of the Rasa and action server process trees (sampled from /proc every 0.2 s) and
     RSS growth over --messages messages after warm-up
  6. training time: cold (empty Rasa cache) and after changing one answer's text
  7. the same for the `rasa init` example bot (its `rasa init` training time, its own messages)
and prints one table (ours | example | ratio) with the targets, each marked PASS/FAIL.

    python scripts/bench.py [--quick] [--skip-example] [--skip-training] [--messages N]

An error is a non-200 answer, a failed request, or the "try again in a moment" apology.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import requests  # noqa: E402
import yaml  # noqa: E402

from bot import db  # noqa: E402
from bot.runner import (Stack, base_env, ephemeral_settings, fingerprint, model_path, stack_env,  # noqa: E402
                        train_command)
from bot.settings import load_settings  # noqa: E402
from bot.topics import TOPICS  # noqa: E402

STORIES = ROOT / "tests" / "test_stories.yml"
APOLOGY = "try again in a moment"
KINDS = ("knowledge", "step", "save")
KIND_LABELS = {"knowledge": "knowledge answer", "step": "self-check step", "save": "final save"}
STAFF_RATINGS = ("3",) * 6
EXAMPLE_QUESTIONS = ("are you a bot?", "bye", "hi")
EXAMPLE_FLOW = (("hi", "step"), ("I am sad", "step"), ("yes", "save"))
EDITED_TOPIC = "what_is_coproduction"  # its answer text is edited for "training after an answer edit"


# ---------------------------------------------------------------- what each bot is asked

@dataclass(frozen=True)
class Profile:
    """What to say to one bot: single-turn questions, a multi-turn flow, and how to recognise success."""

    name: str
    questions: Sequence[str]
    flow: Callable[[str], List[Tuple[str, str]]]  # label -> [(text, kind)]
    flow_done: str  # text in the reply to the flow's last turn when it completed
    first_question: str


def knowledge_questions() -> List[str]:
    """One question per topic: the first user line of each topic's story in tests/test_stories.yml."""
    stories = yaml.safe_load(STORIES.read_text())["stories"]
    out = []
    for story in stories:
        first = next((s for s in story["steps"] if "user" in s), None)
        if first and first.get("intent") in TOPICS:
            out.append(first["user"].strip())
    if not out:
        raise RuntimeError(f"no topic questions found in {STORIES}")
    return out


def staff_check(label: str) -> List[Tuple[str, str]]:
    """A complete staff self-check: start, role, team, six ratings, no comment, consent to save."""
    steps = [("/start_self_check", "step"), ("I work in the service", "step"), (f"team {label}", "step")]
    steps += [(r, "step") for r in STAFF_RATINGS]
    return steps + [("skip", "step"), ("yes", "save")]


def ours_profile() -> Profile:
    return Profile("ours", knowledge_questions(), staff_check, "Overall", "what is co-production?")


def example_profile() -> Profile:
    return Profile("example", EXAMPLE_QUESTIONS, lambda _label: list(EXAMPLE_FLOW), "carry on", "hi")


# ---------------------------------------------------------------- measuring

def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The q-th percentile (0-100) with linear interpolation; None without data."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values: Sequence[float]) -> Optional[float]:
    return percentile(values, 50)


@dataclass
class Recorder:
    """Latencies (ms) per kind of turn, errors and unfinished flows; safe to share between threads."""

    latencies: Dict[str, List[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: int = 0
    error_examples: List[str] = field(default_factory=list)
    flows_done: int = 0
    flows_unfinished: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            self.latencies[kind].append(ms)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.error_examples) < 5:
                self.error_examples.append(what[:200])

    def flow(self, done: bool) -> None:
        with self.lock:
            if done:
                self.flows_done += 1
            else:
                self.flows_unfinished += 1

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + self.errors

    def all_latencies(self) -> List[float]:
        return [ms for v in self.latencies.values() for ms in v]

    def summary(self, indent: str = "    ") -> str:
        lines = []
        for kind in KINDS:
            xs = self.latencies[kind]
            if xs:
                lines.append(f"{indent}{KIND_LABELS[kind]:<17} n={len(xs):<6} p50={fmt(percentile(xs, 50))} ms  "
                             f"p95={fmt(percentile(xs, 95))} ms  p99={fmt(percentile(xs, 99))} ms")
        lines.append(f"{indent}errors={self.errors}  flows completed={self.flows_done} unfinished={self.flows_unfinished}")
        lines += [f"{indent}  e.g. {e}" for e in self.error_examples]
        return "\n".join(lines)


class Client:
    """Talks to one bot's REST channel; one keep-alive HTTP session per thread."""

    def __init__(self, base_url: str, recorder: Recorder):
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.recorder = recorder
        self._local = threading.local()

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def send(self, sender: str, text: str, kind: str) -> Tuple[Optional[str], float]:
        """Send one message; returns (reply text or None on error, latency in ms) and records it."""
        start = time.perf_counter()
        try:
            r = self._session().post(self.url, json={"sender": sender, "message": text}, timeout=60)
            ms = (time.perf_counter() - start) * 1000
            if r.status_code != 200:
                self.recorder.error(f"HTTP {r.status_code} for {text!r}: {r.text}")
                return None, ms
            reply = "\n".join(m.get("text", "") for m in r.json() if isinstance(m, dict))
        except Exception as exc:  # connection refused, timeout, bad JSON
            self.recorder.error(f"{type(exc).__name__} for {text!r}: {exc}")
            return None, (time.perf_counter() - start) * 1000
        if APOLOGY in reply:
            self.recorder.error(f"apology for {text!r}")
            return None, ms
        self.recorder.add(kind, ms)
        return reply, ms


def visitor(client: Client, profile: Profile, sender: str, n_questions: int, first: int,
            allowed: Callable[[], bool] = lambda: True) -> None:
    """One visitor: `n_questions` questions (from index `first`, cycling), then one complete flow.
    `allowed()` is asked before every message; the visitor leaves when it says no."""
    for i in range(n_questions):
        if not allowed():
            return
        client.send(sender, profile.questions[(first + i) % len(profile.questions)], "knowledge")
    reply = None
    for text, kind in profile.flow(sender):
        if not allowed():
            return
        reply, _ = client.send(sender, text, kind)
        if reply is None:
            break
    client.recorder.flow(reply is not None and profile.flow_done in reply)


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def single_user(url: str, profile: Profile, n_questions: int, n_flows: int) -> Recorder:
    """One user at a time: `n_flows` visitors in turn, each asking n_questions/n_flows questions then
    completing one flow (a fresh conversation each, so history length does not creep in)."""
    rec = Recorder()
    client = Client(url, rec)
    per = max(1, n_questions // max(1, n_flows))
    for i in range(n_flows):
        visitor(client, profile, new_sender("single"), per, i * per)
    return rec


def concurrent_users(url: str, profile: Profile, users: int, seconds: float,
                     rec: Optional[Recorder] = None) -> Tuple[Recorder, float]:
    """`users` threads, each a stream of visitors (5 questions + one flow) until the time is up;
    returns the recorder (`rec`, to add to it, or a new one) and the elapsed wall time (s)."""
    rec = rec if rec is not None else Recorder()
    client = Client(url, rec)
    deadline = time.monotonic() + seconds

    def user(u: int) -> None:
        k = 0
        while time.monotonic() < deadline:
            visitor(client, profile, new_sender(f"load{u}"), 5, u * 7 + k * 5, lambda: time.monotonic() < deadline)
            k += 1

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(user, range(users)))
    return rec, time.monotonic() - start


def fixed_messages(url: str, profile: Profile, total: int, threads: int = 4) -> Recorder:
    """Send exactly `total` messages from `threads` streams of visitors (10 questions + one flow each)."""
    rec = Recorder()
    client = Client(url, rec)
    lock = threading.Lock()
    left = [total]

    def take() -> bool:
        with lock:
            if left[0] <= 0:
                return False
            left[0] -= 1
            return True

    def stream(t: int) -> None:
        k = 0
        while left[0] > 0:
            visitor(client, profile, new_sender(f"grow{t}"), 10, t * 3 + k * 10, take)
            k += 1

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(stream, range(threads)))
    return rec


@dataclass
class Long:
    """Median latencies (ms) of the long-conversation test."""

    early: float  # messages 5-15 of a fresh conversation, sent interleaved with `late`
    late: float  # messages n-10..n of the long conversation
    early_same: float  # messages 5-15 of the long conversation itself, sent minutes before `late`


def long_conversation(url: str, profile: Profile, n: int) -> Long:
    """One sender asks `n` questions. Its last 11 messages are sent alternately with messages 5-15
    of a fresh conversation asking the same questions, so the two medians are taken at the same
    moment: a change in the machine's speed during the minutes the conversation takes (we saw
    +-20%) cannot pass for growth with conversation length."""
    rec = Recorder()
    client = Client(url, rec)
    long_sender, fresh_sender = new_sender("long"), new_sender("fresh")

    def ask(sender: str, i: int) -> float:
        return client.send(sender, profile.questions[i % len(profile.questions)], "knowledge")[1]

    per_message = [ask(long_sender, i) for i in range(n - 11)]
    for i in range(4):
        ask(fresh_sender, i)
    early, late = [], []
    for k in range(11):
        pair = [(late, long_sender, n - 11 + k), (early, fresh_sender, 4 + k)]
        for out, sender, i in (pair if k % 2 == 0 else pair[::-1]):
            out.append(ask(sender, i))
    if rec.errors:
        print(f"    long conversation: {rec.errors} errors, e.g. {rec.error_examples[:2]}")
    return Long(early=median(early), late=median(late), early_same=median(per_message[4:15]))


def first_answer(url: str, text: str, started: float, timeout: float, procs: Dict[str, subprocess.Popen]) -> float:
    """Poll the REST channel until `text` gets a proper answer; seconds since `started`."""
    session = requests.Session()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}")
        try:
            r = session.post(f"{url}/webhooks/rest/webhook", json={"sender": new_sender("probe"), "message": text},
                             timeout=30)
            if r.status_code == 200 and r.json() and APOLOGY not in r.text:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"no answer to {text!r} within {timeout:.0f}s")


# ---------------------------------------------------------------- memory

def _process_tree(root_pid: int) -> List[int]:
    """root_pid and all its descendants, from /proc/<pid>/stat."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root_pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    return sum(_rss_kb(p) for p in _process_tree(root_pid)) / 1024


class MemorySampler(threading.Thread):
    """Samples the RSS of named process trees every `interval` s and keeps each name's peak."""

    def __init__(self, interval: float = 0.2):
        super().__init__(daemon=True)
        self.interval = interval
        self.watched: Dict[str, int] = {}
        self.peak: Dict[str, float] = {}
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def watch(self, name: str, pid: int) -> None:
        with self._lock:
            self.watched[name] = pid

    def unwatch(self, name: str) -> None:
        with self._lock:
            self.watched.pop(name, None)

    def sample(self) -> None:
        with self._lock:
            watched = dict(self.watched)
        for name, pid in watched.items():
            mb = tree_rss_mb(pid)
            self.peak[name] = max(self.peak.get(name, 0.0), mb)

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join()


# ---------------------------------------------------------------- the two bots

class DirStack(Stack):
    """A Stack whose processes run in another project directory (the example bot), logging there."""

    def __init__(self, settings, directory: Path):
        super().__init__(settings)
        self.directory = directory

    def _spawn(self, name: str, cmd: List[str], env) -> None:
        log_path = self.directory / f"{name}.log"
        with open(log_path, "ab") as handle:  # the child keeps its own copy of the descriptor
            self.procs[name] = subprocess.Popen(cmd, cwd=self.directory, env=dict(env), stdout=handle,
                                                stderr=subprocess.STDOUT, start_new_session=True)
        self.logs[name] = log_path

    def start_actions(self, env) -> None:
        self._spawn("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                "--port", str(self.settings.action_port)], env)

    def start_rasa(self, env, model: Optional[Path] = None, credentials: Optional[Path] = None) -> None:
        s = self.settings
        endpoints = self.directory / "bench_endpoints.yml"
        endpoints.write_text(f"action_endpoint:\n  url: http://{s.host}:{s.action_port}/webhook\n")
        self._spawn("rasa", [sys.executable, "-m", "rasa", "run", "--model", str(model or self.directory / "models"),
                             "--endpoints", endpoints.name, "--credentials", "credentials.yml",
                             "--interface", s.host, "--port", str(s.rasa_port), "--cors", "*"], env)


def start_ours(tmp: Path, sampler: MemorySampler) -> Tuple[Stack, str, Dict[str, float]]:
    """Our stack as `make run` starts it, on a fresh SQLite database and free ports.
    The model is copied first so a retrain elsewhere cannot swap it mid-load."""
    settings = load_settings()
    model = model_path(settings)
    stamp = settings.model_dir / ".fingerprint"
    if not model.exists():
        raise RuntimeError("no trained model: run `make train` first")
    if not stamp.exists() or stamp.read_text().strip() != fingerprint(settings=settings):
        print("    note: models/coprod.tar.gz is older than the data/config (benchmarking it anyway)")
    local_model = tmp / "coprod.tar.gz"
    shutil.copy2(model, local_model)
    db_url = f"sqlite:///{tmp / 'coprod.db'}"
    t = time.monotonic()
    db.migrate(db_url)
    migrate_s = time.monotonic() - t
    settings = ephemeral_settings(db_url)
    stack = Stack(settings)
    env = stack_env(settings)
    started = time.monotonic()
    stack.start_actions(env)
    stack.start_rasa(env, model=local_model)
    ready = watch_until_ready(stack, sampler, "ours", settings.rasa_url, ours_profile().first_question, started)
    return stack, settings.rasa_url, {"migrate_s": migrate_s, "first_answer_s": ready}


def watch_until_ready(stack: Stack, sampler: "MemorySampler", label: str, url: str, question: str,
                      started: float) -> float:
    """Sample the stack's memory and wait for its first answer (seconds since `started`)."""
    for name, proc in stack.procs.items():
        sampler.watch(f"{label}:{name}", proc.pid)
    try:
        ready = first_answer(url, question, started, 300, stack.procs)
        stack.wait_ready(timeout=120)
    except Exception:
        print("\n".join(f"--- {n}\n{stack.tail(n)}" for n in stack.procs))
        stack.stop()
        raise
    return ready


def start_example(tmp: Path, sampler: MemorySampler) -> Tuple[Stack, str, Dict[str, float]]:
    """`rasa init --no-prompt` (which trains), then its action server and `rasa run` on free ports."""
    project = tmp / "example"
    env = base_env({"PYTHONPATH": "", "RASA_CACHE_DIRECTORY": str(tmp / "example-cache")})
    project.mkdir()  # rasa init wants an existing (empty) directory
    t = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)],
                          cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    init_s = time.monotonic() - t
    if done.returncode != 0:
        raise RuntimeError("rasa init failed:\n" + done.stdout.decode(errors="replace")[-3000:])
    settings = ephemeral_settings("sqlite://")
    stack = DirStack(settings, project)
    started = time.monotonic()
    stack.start_actions(env)
    stack.start_rasa(env)
    ready = watch_until_ready(stack, sampler, "example", settings.rasa_url, example_profile().first_question, started)
    return stack, settings.rasa_url, {"init_train_s": init_s, "first_answer_s": ready}


@dataclass
class Counts:
    """How much to send; --quick shrinks everything."""

    questions: int = 200
    flows: int = 20
    users: int = 20
    seconds: float = 60
    long: int = 400
    rounds: int = 3  # the 20-user time is split into this many alternating rounds per bot
    many_users: int = 100  # then ours alone with this many concurrent users
    many_seconds: float = 30
    messages: int = 20000  # the memory-growth run (ours)
    example_messages: int = 2000  # the example bot's growth is not a target; keep its run short


def drive(name: str, url: str, profile: Profile, counts: Counts) -> Dict:
    """One user at a time: warm-up, questions and flows, one long conversation."""
    r: Dict = {}
    print(f"  [{name}] ({loadavg()}) warm-up (one visitor, {len(profile.questions)} questions + one flow)")
    single_user(url, profile, len(profile.questions), 1)

    print(f"  [{name}] single user: {counts.questions} questions, {counts.flows} complete flows")
    rec = single_user(url, profile, counts.questions, counts.flows)
    print(rec.summary())
    r["single"] = rec

    print(f"  [{name}] long conversation: {counts.long} questions from one sender")
    long = long_conversation(url, profile, counts.long)
    r["long"] = long
    print(f"    median msgs {counts.long - 10}-{counts.long}: {fmt(long.late)} ms; msgs 5-15 of a fresh conversation "
          f"sent in between: {fmt(long.early)} ms; ratio {long.late / long.early:.2f} "
          f"(msgs 5-15 of the long conversation itself, sent minutes earlier: {fmt(long.early_same)} ms)")
    return r


def interleaved_load(bots: Dict[str, Tuple[str, Profile]], counts: Counts) -> Dict[str, Dict]:
    """20 concurrent users against each bot, in alternating rounds (ours, example, ours, ...) while
    both are up, so a change in the machine's speed during the run affects both alike."""
    recs = {name: Recorder() for name in bots}
    elapsed = {name: 0.0 for name in bots}
    per_round = counts.seconds / counts.rounds
    for i in range(counts.rounds):
        for name, (url, profile) in bots.items():
            print(f"  [{name}] round {i + 1}/{counts.rounds}: {counts.users} concurrent users for {per_round:.0f} s "
                  f"({loadavg()})")
            before = recs[name].count
            _, seconds = concurrent_users(url, profile, counts.users, per_round, recs[name])
            elapsed[name] += seconds
            print(f"    {recs[name].count - before} messages = {(recs[name].count - before) / seconds:.1f} msg/s")
    out = {}
    for name, rec in recs.items():
        out[name] = {"conc": rec, "conc_rate": rec.count / elapsed[name]}
        print(f"  [{name}] all rounds: {rec.count} messages in {elapsed[name]:.1f} s = {out[name]['conc_rate']:.1f} msg/s; "
              f"all turns p50={fmt(percentile(rec.all_latencies(), 50))} p95={fmt(percentile(rec.all_latencies(), 95))} "
              f"p99={fmt(percentile(rec.all_latencies(), 99))} ms")
        print(rec.summary())
    return out


def many_users(url: str, profile: Profile, counts: Counts) -> Dict:
    """Ours alone under `counts.many_users` concurrent users (questions and self-checks)."""
    rec = Recorder()
    _, seconds = concurrent_users(url, profile, counts.many_users, counts.many_seconds, rec)
    rate = rec.count / seconds
    print(f"  {rec.count} messages in {seconds:.1f} s = {rate:.1f} msg/s, errors={rec.errors}; all turns "
          f"p50={fmt(percentile(rec.all_latencies(), 50))} p95={fmt(percentile(rec.all_latencies(), 95))} ms")
    print(rec.summary())
    return {"many": rec, "many_rate": rate}


def memory_growth(name: str, stack: Stack, url: str, profile: Profile, messages: int, sampler: MemorySampler) -> Dict:
    """RSS of both servers before and after `messages` messages, and the peak so far."""
    r: Dict = {}
    rasa_pid, actions_pid = stack.procs["rasa"].pid, stack.procs["actions"].pid
    before = (tree_rss_mb(rasa_pid), tree_rss_mb(actions_pid))
    print(f"  [{name}] memory growth: {messages} messages (4 streams of visitors); RSS before: "
          f"rasa {before[0]:.0f} MB, actions {before[1]:.0f} MB")
    t = time.monotonic()
    rec = fixed_messages(url, profile, messages)
    after = (tree_rss_mb(rasa_pid), tree_rss_mb(actions_pid))
    r["growth"] = tuple(100 * (a - b) / b for a, b in zip(after, before))
    print(f"    {rec.count} messages in {time.monotonic() - t:.0f} s, errors={rec.errors}; RSS after: "
          f"rasa {after[0]:.0f} MB ({r['growth'][0]:+.1f}%), actions {after[1]:.0f} MB ({r['growth'][1]:+.1f}%)")
    sampler.sample()
    r["peak"] = (sampler.peak.get(f"{name}:rasa"), sampler.peak.get(f"{name}:actions"))
    print(f"    peak RSS so far: rasa {r['peak'][0]:.0f} MB, actions {r['peak'][1]:.0f} MB")
    return r


# ---------------------------------------------------------------- training

def edit_one_answer(knowledge: Path, topic: str = EDITED_TOPIC) -> None:
    """Change the text of one answer in its topic file (nothing else; same number of words)."""
    path = knowledge / f"{topic}.yml"
    text = path.read_text()
    start = text.index("\nanswer: |\n")
    end = text.index(". ", start)
    path.write_text(text[:end] + "; " + text[end + 2:])


def training_times(tmp: Path) -> Tuple[float, float]:
    """`rasa train` of a copy of our project with an empty Rasa cache (cold), then again after
    changing one answer's text; seconds for each."""
    project = tmp / "train"
    project.mkdir()
    for name in ("config.yml", "domain.yml", "organisation.yml"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "data", project / "data")
    (project / ".cache").mkdir()
    (project / ".cache" / "spacy").symlink_to(ROOT / ".cache" / "spacy")  # the pipeline config.yml names
    env = base_env({"RASA_CACHE_DIRECTORY": str(project / ".rasa" / "cache"),
                    "KNOWLEDGE_DIR": str(project / "data" / "knowledge"),
                    "ORGANISATION_FILE": str(project / "organisation.yml")})
    times = []
    for step in ("cold", "after one answer changed"):
        if step != "cold":
            edit_one_answer(project / "data" / "knowledge")
        t = time.monotonic()
        done = subprocess.run(train_command(project / "models"), cwd=project, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        times.append(time.monotonic() - t)
        if done.returncode != 0:
            raise RuntimeError(f"rasa train ({step}) failed:\n" + done.stdout.decode(errors="replace")[-3000:])
        log = done.stdout.decode(errors="replace")
        restored = re.findall(r"Restored component '([^']+)'", log)
        trained = re.findall(r"Finished training component '([^']+)'", log)
        print(f"  training {step}: {times[-1]:.1f} s ({len(restored)} components restored from the cache; "
              f"trained: {', '.join(trained) or 'none'})")
    return times[0], times[1]


# ---------------------------------------------------------------- the table

def loadavg() -> str:
    """The 1-minute load average: other work on the machine skews every number here."""
    try:
        return f"load avg {Path('/proc/loadavg').read_text().split()[0]}"
    except OSError:
        return "load avg ?"


def fmt(x: Optional[float], digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


@dataclass
class Row:
    metric: str
    ours: Optional[float]
    example: Optional[float] = None
    target: str = ""
    ok: Optional[bool] = None  # None: no target or cannot judge
    digits: int = 1

    def cells(self) -> List[str]:
        meaningful = self.ours is not None and self.example not in (None, 0) and not self.metric.startswith("RSS growth")
        ratio = f"{self.ours / self.example:.2f}" if meaningful else "-"
        verdict = "" if not self.target else ("PASS" if self.ok else "FAIL" if self.ok is False else "n/a")
        return [self.metric, fmt(self.ours, self.digits), fmt(self.example, self.digits), ratio, self.target, verdict]


def _at_most(metric: str, ours: Optional[float], example: Optional[float], limit: Optional[float], unit: str = "",
             digits: int = 1) -> Row:
    """A row whose target is `ours <= limit` (none when `limit` is None): the label and the check
    from the one number."""
    if limit is None:
        return Row(metric, ours, example, digits=digits)
    return Row(metric, ours, example, f"<= {limit}" + (f" {unit}" if unit else ""),
               None if ours is None else ours <= limit, digits)


def build_rows(ours: Dict, ex: Dict, train: Optional[Tuple[float, float]]) -> List[Row]:
    """The table rows, targets from the issues: where issue #13 (understanding) set a stricter one
    for the new model (first answer, one-user knowledge p95, 20-user rate, Rasa server memory),
    that one."""
    def p(r: Dict, phase: str, kind: str, q: float) -> Optional[float]:
        return percentile(r[phase].latencies[kind], q) if r else None

    def conc_all(r: Dict, q: float) -> Optional[float]:
        return percentile(r["conc"].all_latencies(), q) if r else None

    g = lambda r, k: r.get(k) if r else None  # noqa: E731
    rows = [_at_most("start -> first answer (s)", ours["first_answer_s"], g(ex, "first_answer_s"), 10, "s")]
    limits = {("knowledge", 50): 20, ("knowledge", 95): 10, ("step", 95): 75, ("save", 95): 120}
    for kind in KINDS:
        for q in (50, 95, 99):
            rows.append(_at_most(f"1 user: {KIND_LABELS[kind]} p{q} (ms)", p(ours, "single", kind, q),
                                 p(ex, "single", kind, q), limits.get((kind, q)), "ms"))
    rate, ex_rate = ours["conc_rate"], g(ex, "conc_rate")
    times = 5
    rows.append(Row("20 users: messages/s", rate, ex_rate, f">= {times}x example",
                    None if ex_rate is None else rate >= times * ex_rate))
    for kind in KINDS:
        for q in (50, 95, 99):
            rows.append(Row(f"20 users: {KIND_LABELS[kind]} p{q} (ms)", p(ours, "conc", kind, q), p(ex, "conc", kind, q)))
    ex95 = conc_all(ex, 95)
    rows.append(Row("20 users: all turns p50 (ms)", conc_all(ours, 50), conc_all(ex, 50)))
    rows.append(Row("20 users: all turns p95 (ms)", conc_all(ours, 95), ex95, "<= 1/2 example",
                    None if ex95 is None else conc_all(ours, 95) <= ex95 / 2))
    rows.append(Row("20 users: all turns p99 (ms)", conc_all(ours, 99), conc_all(ex, 99)))
    rows.append(Row("20 users: errors", ours["conc"].errors, ex["conc"].errors if ex else None, "0",
                    ours["conc"].errors == 0, digits=0))
    many, n = ours["many"], Counts.many_users
    rows.append(Row(f"{n} users: messages/s", ours["many_rate"], None))
    for kind in KINDS:
        rows.append(Row(f"{n} users: {KIND_LABELS[kind]} p95 (ms)", p(ours, "many", kind, 95), None))
    rows.append(Row(f"{n} users: all turns p95 (ms)", percentile(many.all_latencies(), 95), None))
    rows.append(Row(f"{n} users: errors", many.errors, None, "0", many.errors == 0, digits=0))
    lo, lx = ours["long"], ex.get("long") if ex else None
    rows.append(Row("long: msg ~10 median (ms) [same time]", lo.early, lx.early if lx else None))
    rows.append(Row("long: msg ~400 median (ms)", lo.late, lx.late if lx else None))
    rows.append(_at_most("long: ratio msg 400 / msg 10", lo.late / lo.early, lx.late / lx.early if lx else None, 1.5,
                         digits=2))
    rows.append(Row("long: msg ~10, same conversation (ms)", lo.early_same, lx.early_same if lx else None))
    if train:
        rows.append(_at_most("training cold (s) [example: rasa init]", train[0], g(ex, "init_train_s"), 60, "s"))
        rows.append(_at_most("training after answer-text change (s)", train[1], None, 20, "s"))
    elif ex:
        rows.append(Row("training: rasa init incl. training (s)", None, ex["init_train_s"]))
    servers = ("Rasa server", "action server")  # the order of the "peak" and "growth" pairs
    for i, (who, limit) in enumerate(zip(servers, (700, 150))):
        rows.append(_at_most(f"peak RSS {who} (MB)", ours["peak"][i], ex["peak"][i] if ex else None, limit, "MB"))
    for i, who in enumerate(servers):
        rows.append(_at_most(f"RSS growth {who} (%)", ours["growth"][i], ex["growth"][i] if ex else None, 5, "%"))
    return rows


def print_table(rows: List[Row]) -> None:
    header = ["metric", "ours", "example bot", "ratio", "target (ours)", "result"]
    cells = [header] + [r.cells() for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    line = lambda c: " | ".join(x.ljust(w) if i == 0 else x.rjust(w) for i, (x, w) in enumerate(zip(c, widths)))  # noqa: E731
    print(line(header))
    print("-+-".join("-" * w for w in widths))
    for c in cells[1:]:
        print(line(c))
    failed = [r.metric for r in rows if r.target and r.ok is False]
    print(f"\n{sum(1 for r in rows if r.ok)} PASS, {len(failed)} FAIL" + (": " + "; ".join(failed) if failed else ""))


# ---------------------------------------------------------------- main

def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    ap.add_argument("--skip-example", action="store_true", help="do not build and measure the rasa init bot")
    ap.add_argument("--skip-training", action="store_true", help="do not time training")
    ap.add_argument("--messages", type=int, help="messages for our memory-growth run (default 20000; quick 300)")
    ap.add_argument("--seconds", type=float, help="seconds of 20 concurrent users per bot, split into alternating rounds (default 60; quick 20)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, example bot)")
    args = ap.parse_args(argv)

    counts = (Counts(questions=50, flows=5, seconds=20, rounds=2, long=60, messages=300, many_seconds=10)
              if args.quick else Counts())
    if args.messages:
        counts.messages = args.messages
    if args.seconds:
        counts.seconds = args.seconds
    tmp = Path(tempfile.mkdtemp(prefix="coprod-bench-"))
    sampler = MemorySampler()
    sampler.start()
    ours = ex = {}
    train = None
    t0 = time.monotonic()
    stacks: Dict[str, Tuple[Stack, str, Profile]] = {}
    try:
        try:
            print(f"==> Our stack (temp dir {tmp}; {loadavg()})")
            stack, url, info = start_ours(tmp, sampler)
            stacks["ours"] = (stack, url, ours_profile())
            print(f"  migrate {info['migrate_s']:.1f} s; process start -> first answer {info['first_answer_s']:.1f} s")
            ours = {**info, **drive("ours", url, ours_profile(), counts)}
            if not args.skip_example:
                print(f"==> The rasa init example bot, started beside ours, which stays up and idle ({loadavg()})")
                stack, url, info = start_example(tmp, sampler)
                stacks["example"] = (stack, url, example_profile())
                print(f"  rasa init (incl. training) {info['init_train_s']:.1f} s; "
                      f"process start -> first answer {info['first_answer_s']:.1f} s")
                ex = {**info, **drive("example", url, example_profile(), counts)}
            print("==> Load: 20 concurrent users, the bots in alternating rounds")
            load = interleaved_load({name: (url, profile) for name, (_, url, profile) in stacks.items()}, counts)
            ours.update(load["ours"])
            if "example" in load:
                ex.update(load["example"])
            print(f"==> Load: {counts.many_users} concurrent users, ours ({loadavg()})")
            ours.update(many_users(stacks["ours"][1], ours_profile(), counts))
            print("==> Memory growth")
            for name, (stack, url, profile) in stacks.items():
                messages = counts.messages if name == "ours" else min(counts.messages, counts.example_messages)
                (ours if name == "ours" else ex).update(memory_growth(name, stack, url, profile, messages, sampler))
        finally:
            for stack, _, _ in stacks.values():
                stack.stop()
        if not args.skip_training:
            print(f"==> Training time (copy of config.yml, domain.yml, data/ with an empty Rasa cache; {loadavg()})")
            train = training_times(tmp)
    finally:
        sampler.stop()
        if args.keep:
            print(f"(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n==> Results ({'quick' if args.quick else 'full'} run, {time.monotonic() - t0:.0f} s, "
          f"{os.cpu_count()} CPUs, {loadavg()} at the end; ratio = ours / example)\n")
    print_table(build_rows(ours, ex, train))
    return 0


if __name__ == "__main__":
    sys.exit(main())
