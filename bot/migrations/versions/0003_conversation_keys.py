"""conversations keyed by channel: "<channel>:<sender>" in Rasa's events table

Conversations stored before this keep working: each sender's rows are renamed to the key its
channel now uses (bot.conversation_ids), read from the input channel of its first message.

Revision ID: 0003
Revises: 0002
"""
import json

import sqlalchemy as sa
from alembic import op

from bot.conversation_ids import migrated_key, recipient, split_key

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _events_table_exists(bind) -> bool:
    return sa.inspect(bind).has_table("events")


def _first_messages(bind):
    """(sender_id, data) of each sender's first stored message."""
    return bind.execute(sa.text(
        "SELECT e.sender_id, e.data FROM events e JOIN "
        "(SELECT sender_id, MIN(id) AS first_id FROM events WHERE type_name = 'user' GROUP BY sender_id) f "
        "ON e.id = f.first_id")).all()


def _rename(bind, old: str, new: str) -> None:
    bind.execute(sa.text("UPDATE events SET sender_id = :new WHERE sender_id = :old"), {"new": new, "old": old})


def upgrade() -> None:
    bind = op.get_bind()
    if not _events_table_exists(bind):  # Rasa creates the table when it first starts
        return
    for sender_id, data in _first_messages(bind):
        try:
            channel = (json.loads(data) or {}).get("input_channel")
        except (TypeError, ValueError):
            continue
        new = migrated_key(sender_id, channel)
        if new:
            _rename(bind, sender_id, new)


def downgrade() -> None:
    bind = op.get_bind()
    if not _events_table_exists(bind):
        return
    for (sender_id,) in bind.execute(sa.text("SELECT DISTINCT sender_id FROM events")).all():
        if split_key(sender_id)[0] is not None:
            _rename(bind, sender_id, recipient(sender_id))
