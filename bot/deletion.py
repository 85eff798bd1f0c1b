""""Delete my data" as a short conversation (pure: the actions do the lookups and the deleting).

1. The request (typed at any point, also in the middle of a self-check: `privacy.asks_to_delete`)
   gets `start`: what is stored from this chat, with counts, and yes/no buttons. When this chat
   has no saved answers, the person may type the reference code of answers saved in another chat.
2. `handle` reads the reply: yes -> "erase" (this chat) or "erase_code" (the answers of a code
   found earlier); a code -> "lookup", then `found` or `not_found`; no, or twice unclear ->
   "cancel": nothing is deleted and a self-check in progress carries on where it was.
3. After the deleting, `done_text` says what was deleted.

The state is kept in the `flow_state` slot as {"flow": "delete", ...}, so every reply comes back
to action_flow (bot.rasa_ext.flow_policy); `resume` is the flow that was interrupted, if any.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, List, Optional, Tuple

from bot import flows, parsing
from bot.erasure import Counts, find_reference, reference_hash

YES_NO = [{"title": "Yes, delete it", "payload": "/affirm"}, {"title": "No, keep it", "payload": "/deny"}]
MAX_CODE_TRIES = 3
EXAMPLE_CODE = "D-7QKA-X3MP"
KIND_NAMES = {"staff_check": "a staff self-check", "consumer_check": "a self-check", "feedback": "feedback"}
CANCELLED = "OK, I haven't deleted anything."
STORAGE_FAILED = ("Sorry, I couldn't reach our records just now, so nothing was deleted. Please try again in a "
                  "moment.")

State = Dict[str, Any]


@dataclass
class Step:
    do: str  # "reply" | "cancel" | "lookup" | "erase" | "erase_code"
    state: Optional[State]  # the flow_state after this step
    replies: List[Dict[str, Any]] = field(default_factory=list)
    code: Optional[str] = None  # "lookup": the code as typed, written as given out
    code_hash: Optional[str] = None  # "lookup" and "erase_code"


def is_active(state: Any) -> bool:
    return isinstance(state, dict) and state.get("flow") == "delete"


def _reply(text: str, buttons: Any = ()) -> Dict[str, Any]:
    return {"text": text, "buttons": [dict(b) for b in buttons]}


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _join(items: List[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _items(c: Counts, in_flow: bool) -> List[str]:
    items = []
    if c.submissions:
        items.append(f"{_n(c.submissions, 'set', 'sets')} of saved answers ({_n(c.answers, 'answer', 'answers')})")
    if c.handoffs:
        items.append(_n(c.handoffs, "request", "requests") + " to talk to a person"
                     + (" with the team's replies" if c.sent_to_team else ""))
    if c.unanswered:
        items.append(_n(c.unanswered, "question", "questions") + " I couldn't answer")
    if in_flow:
        items.append("the answers you are in the middle of giving")
    return items + ["this chat's log"]


def start(tied: Counts, resume: Optional[State]) -> Tuple[State, Dict[str, Any]]:
    """The first reply to "delete my data": what would be deleted, and the question."""
    state = {"flow": "delete", "stage": "confirm", "resume": resume, "tries": 0, "unclear": 0}
    what = _join(_items(tied, resume is not None))
    if tied.saved_anything:
        text = (f"Shall I delete what is stored from this chat? That is {what}. This can't be undone. "
                "(To delete answers saved in another chat, type their reference code instead.)")
    else:
        text = ("I can't see any saved answers from this chat. If you saved answers in another chat, type the "
                f"reference code you were given then (it looks like {EXAMPLE_CODE}). Or shall I delete what this "
                f"chat has stored: {what}?")
    return state, _reply(text, YES_NO)


def _yes_no(text: str, intent: Optional[str]) -> Optional[bool]:
    """Only a yes in words (or the button) deletes; a "no" may also be the classifier's."""
    if text.strip() == "/affirm":
        return True
    if text.strip() == "/deny" or parsing.is_stop(text):
        return False
    answer = parsing.parse_yes_no(text)
    if answer is None and intent == "deny" and not find_reference(text):
        return False
    return answer


def cancel(state: State, text: str = CANCELLED) -> Step:
    """Nothing deleted; an interrupted flow goes on at the question it was at."""
    resume = state.get("resume")
    replies = [_reply(text)]
    try:
        question = flows.current_question(resume) if resume else None
    except (KeyError, TypeError):  # not a flow this version knows: nothing to go back to
        question = None
    if question is not None:
        replies.append(flows.ask(question, "Now, back to where we were:"))
    return Step("cancel", resume if question is not None else None, replies)


def handle(state: State, text: str, intent: Optional[str] = None) -> Step:
    """The person's reply while a delete is being confirmed."""
    text = text or ""
    answer = _yes_no(text, intent)
    code = find_reference(text) if answer is None else None
    if code:
        return Step("lookup", state, code=code, code_hash=reference_hash(code))
    if answer is True:
        if state.get("stage") == "code":
            return Step("erase_code", state, code_hash=state.get("code_hash"))
        return Step("erase", state)
    if answer is False or state.get("unclear"):
        return cancel(state)
    question = "shall I delete those answers" if state.get("stage") == "code" else "shall I delete it"
    return Step("reply", {**state, "unclear": 1},
                [_reply(f"Please answer yes or no: {question}? (Or type a reference code.)", YES_NO)])


def _day(iso: Optional[str]) -> str:
    if not iso:
        return "an earlier day"
    d = date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def found(state: State, code_hash: str, what: Counts) -> Step:
    """The code belongs to saved answers: ask before deleting them."""
    text = (f"I found {KIND_NAMES.get(what.kind or '', 'answers')} saved on {_day(what.saved_on)} with that code "
            f"({_n(what.answers, 'answer', 'answers')}). Shall I delete it? I'll delete this chat's log too. "
            "This can't be undone.")
    return Step("reply", {**state, "stage": "code", "code_hash": code_hash, "unclear": 0}, [_reply(text, YES_NO)])


def not_found(state: State, code: str) -> Step:
    tries = int(state.get("tries") or 0) + 1
    if tries >= MAX_CODE_TRIES:
        return cancel(state, "I still can't find saved answers with that code, so I haven't deleted anything. "
                             "Saved answers carry no name, so only their code can find them.")
    text = (f"I couldn't find saved answers with the code {code}. Please check it and type it again (it looks like "
            f"{EXAMPLE_CODE}), or say no to leave it.")
    return Step("reply", {**state, "tries": tries, "unclear": 0}, [_reply(text, YES_NO)])


def done_state(state: State, counts: Counts, mode: str) -> State:
    """Handed to action_delete_my_data, which says what was deleted (`done_text`)."""
    return {"flow": "delete", "stage": "done", "mode": mode, "counts": counts.as_dict(),
            "in_flow": bool(state.get("resume"))}


def done_text(state: State, org_name: str) -> str:
    """What was deleted, with counts, and what stays where this assistant cannot delete it."""
    c = Counts.from_dict(state.get("counts"))
    in_flow = bool(state.get("in_flow"))
    if state.get("mode") == "code":
        if not c.submissions:  # deleted meanwhile
            text = "Those answers had already been deleted. I've deleted this chat's log."
        else:
            text = (f"Done. I've deleted {KIND_NAMES.get(c.kind or '', 'the answers')} saved with that code "
                    f"({_n(c.answers, 'answer', 'answers')}) and this chat's log.")
    elif c.saved_anything or c.unanswered:
        text = f"Done. I've deleted {_join(_items(c, in_flow))}."
    else:
        text = ("Done. There were no saved answers or requests from this chat; I've deleted this chat's log"
                + (" and the answers you were in the middle of giving." if in_flow else "."))
    if c.sent_to_team:
        text += (f" What was already sent to the team in Slack stays in Slack: ask the team at {org_name} if you "
                 "would like it removed there.")
    if c.submissions:
        text += " A staff export made before now may still hold the answers."
    return text
