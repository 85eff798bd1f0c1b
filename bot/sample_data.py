"""Made-up sample data for demos and for trying the staff report (never for real services).

Every submission is produced by driving the real guided conversations in `bot.flows`
(`start` / `handle`, answering each question as a person would type it), so the stored
rows have exactly the shape that real conversations produce. The same seed gives the
same answers; running it twice with the same seed adds nothing the second time, because
the submission ids are derived from the seed.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import flows, repository
from bot.models import Submission, utcnow

CHANNELS = ("socketio", "socketio", "socketio", "rest")
TEAMS = ("Ward 4", "Community mental health team", "Day centre", "Home support team", "Carers' hub")

# Staff tend to rate their service higher than the people who use it ("the knowledge gap"),
# most of all on sharing power and giving something back.
STAFF_BIAS = {"assets": 0.5, "capabilities": 0.3, "mutuality": 0.4, "networks": -0.2, "blurring_roles": 0.2,
              "catalysts": 0.4}
CONSUMER_BIAS = {"assets": 0.0, "capabilities": 0.2, "mutuality": -0.8, "networks": -0.1, "blurring_roles": -0.9,
                 "catalysts": -0.3}
MATTERS_WEIGHTS = (("Meeting people and making friends", 8), ("Someone to talk to", 6),
                   ("Information about services", 3), ("Information about support", 3), ("Something else", 1))
CONTRIBUTE_WEIGHTS = (("A few hours a week", 3), ("A few hours a month", 5), ("Not at the moment", 4))

STAFF_EXAMPLES = (
    "We ask new members what they enjoy doing and note it in their plan.",
    "Two members now co-run the Tuesday cooking group.",
    "People who use the service sat on the interview panel for our last two posts.",
    "Our peer support group is planned by the members themselves.",
    "We changed the menu after residents ran their own survey.",
)
STAFF_COMMENTS = (
    "We would like more time in rotas for planning with members.",
    "Hard to keep this going when we are short-staffed.",
    "Managers are supportive, but paperwork gets in the way.",
    "Good to see the scores side by side with what members say.",
    "Members helped rewrite our leaflets and they are much clearer now.",
)
CONSUMER_COMMENTS = (
    "I'd like to help with the newsletter.",
    "Sometimes I don't know who to ask about changes.",
    "The staff are kind but they decide most things.",
    "Meeting other carers has helped me more than anything.",
    "Please tell us what happened after the last meeting.",
    "I was asked what I'm good at for the first time in years.",
    "Evening meetings are hard for me because of the buses.",
    "I'd be happy to show new people around.",
)
FEEDBACK_WORKS = (
    "The staff listen and remember what matters to me.",
    "The Thursday social group.",
    "Being able to phone and get a quick answer.",
    "Meeting people who understand what it's like.",
    "Being asked for my ideas, and seeing some of them used.",
    "The new peer support group.",
)
FEEDBACK_BETTER = (
    "More notice when appointments change.",
    "Evening sessions for people who work.",
    "Clearer information about what is on offer.",
    "Transport to the day centre is hard to arrange.",
    "Letters are full of jargon; plain English please.",
    "It takes too long to get a call back.",
)
FEEDBACK_OWN_PART = (
    "I could welcome new people at the group.",
    "I'm happy to share my experience with new carers.",
    "I could help set up the room before sessions.",
)
UNANSWERED = (
    ("Can I bring my dog to the day centre?", 4), ("What time does the cafe open?", 3),
    ("Is there parking at the hub?", 3), ("How do I get a blue badge?", 2), ("Can you book my GP appointment?", 2),
    ("Do you have sessions in Polish?", 1), ("Where is the nearest pharmacy?", 1),
)
HANDOFF_QUESTIONS = ("I'd like to talk to someone about joining the planning group.",
                     "Can somebody call me back about my mum's care?")

DAYS = 182  # spread over the past six months


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.8))))


def _answer_for(q: flows.Question, rng: random.Random, rating_for: Callable[[str], int],
                texts: Dict[str, Any]) -> str:
    """What a person might type for question `q` (as text, like a button payload or a typed reply)."""
    if q.kind == "consent":
        return "yes"
    if q.kind == "rating":
        return str(rating_for(q.key))
    if q.kind == "choice":
        options, weights = zip(*texts[q.key])
        return rng.choices(options, weights)[0]
    pool, chance = texts.get(q.key, ((), 0.0))
    if q.key.startswith("example_"):
        pool, chance = texts["example"]
    if pool and rng.random() < chance:
        return rng.choice(pool)
    return "skip"


def _drive(flow: str, role: Optional[str], channel: str, started: datetime, rng: random.Random,
           rating_for: Callable[[str], Any], texts: Dict[str, Any]) -> flows.SubmissionData:
    """Run one guided conversation to the consent question and return the submission it produces."""
    now_iso = started.isoformat(timespec="seconds")
    outcome = flows.start(flow, channel, role, now_iso)
    state = outcome.state
    if state is None:
        raise RuntimeError(f"the {flow} flow did not start")
    state["submission_id"] = _uuid(rng)  # deterministic with the seed (flows uses uuid4)
    for _ in range(100):  # every flow is far shorter; a guard against a loop if a flow changes
        q = flows.current_question(state)
        if q is None:
            raise RuntimeError(f"the {flow} flow has no question to answer")
        outcome = flows.handle(state, _answer_for(q, rng, rating_for, texts), None, 0.0, now_iso)
        if outcome.to_save is not None:
            return outcome.to_save
        if outcome.state is None:
            raise RuntimeError(f"the {flow} flow ended without a submission")
        state = outcome.state
    raise RuntimeError(f"the {flow} flow did not finish")


def _save(session: Session, data: flows.SubmissionData, respondent_id: str, created_at: datetime) -> bool:
    if not repository.save_submission(session, data, respondent_id):
        return False
    sub = session.execute(select(Submission).where(Submission.submission_id == data["submission_id"])).scalar_one()
    sub.created_at = created_at
    session.flush()
    return True


def seed_sample(session: Session, n_staff: int = 12, n_consumer: int = 20, n_feedback: int = 10, seed: int = 1,
                now: Optional[datetime] = None) -> Dict[str, int]:
    """Add plausible made-up submissions (and a few unanswered questions and handoff requests)
    spread over the past six months; returns how many of each were added."""
    rng = random.Random(seed)
    now = now or utcnow()
    added = {"staff_check": 0, "consumer_check": 0, "feedback": 0, "unanswered": 0, "handoffs": 0}

    def when() -> tuple:
        days_ago = rng.uniform(0, DAYS)
        created = (now - timedelta(days=days_ago)).replace(microsecond=0)
        return created, 1 - days_ago / DAYS  # progress 0 (six months ago) .. 1 (now)

    for _ in range(n_staff):
        created, progress = when()
        team = rng.choice(TEAMS)
        # teams get better at co-production over the six months
        base = 2.5 + 1.1 * progress

        def staff_rating(key: str) -> int:
            return _rating(rng, base + STAFF_BIAS[key[2:]])

        texts: Dict[str, Any] = {"team": ((team,), 0.85), "example": (STAFF_EXAMPLES, 0.5),
                 "comment": (STAFF_COMMENTS, 0.45)}
        data = _drive("self_check", "staff", rng.choice(CHANNELS), created - timedelta(minutes=6), rng,
                      staff_rating, texts)
        added["staff_check"] += _save(session, data, _uuid(rng), created)

    for _ in range(n_consumer):
        created, progress = when()
        base = 2.6 + 0.5 * progress

        def consumer_rating(key: str) -> int:
            return _rating(rng, base + CONSUMER_BIAS[key[2:]])

        texts = {"matters_most": MATTERS_WEIGHTS, "contribute": CONTRIBUTE_WEIGHTS,
                 "comment": (CONSUMER_COMMENTS, 0.4)}
        data = _drive("self_check", "consumer", rng.choice(CHANNELS), created - timedelta(minutes=5), rng,
                      consumer_rating, texts)
        added["consumer_check"] += _save(session, data, _uuid(rng), created)

    for _ in range(n_feedback):
        created, _progress = when()
        mean = rng.choice((2.6, 3.4, 3.9, 4.4))
        texts = {"works": (FEEDBACK_WORKS, 0.75), "better": (FEEDBACK_BETTER, 0.65),
                 "own_part": (FEEDBACK_OWN_PART, 0.35)}
        def rating_for(key: str, m: float = mean, skips: bool = rng.random() < 0.1) -> Any:
            return "skip" if skips else _rating(rng, m)  # some people skip the rating
        data = _drive("feedback", None, rng.choice(CHANNELS), created - timedelta(minutes=3), rng, rating_for, texts)
        added["feedback"] += _save(session, data, _uuid(rng), created)

    if added["staff_check"] or added["consumer_check"] or added["feedback"]:  # not again on a re-run
        for text, times in UNANSWERED:
            for _ in range(times):
                typed = rng.choice((text, text.lower(), text + " "))
                repository.record_unanswered(session, typed, rng.choice(CHANNELS),
                                             rng.choice(("low_confidence", "out_of_scope")), None, None)
                added["unanswered"] += 1
        for question in HANDOFF_QUESTIONS:
            repository.record_handoff(session, _uuid(rng), rng.choice(CHANNELS), question)
            added["handoffs"] += 1
    session.flush()
    return added
