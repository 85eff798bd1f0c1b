"""handoff to staff in Slack: a request's thread, status and relay state; staff replies

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('handoff_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default='noted'))
        batch_op.add_column(sa.Column('conversation', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('slack_channel', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('slack_ts', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('first_reply_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_by', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_handoff_request_reference'), ['reference'])
        batch_op.create_index(batch_op.f('ix_handoff_request_conversation'), ['conversation'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_request_slack_ts'), ['slack_ts'], unique=False)
    op.create_table(
        'handoff_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('handoff_pk', sa.Integer(), nullable=False),
        sa.Column('slack_event', sa.String(length=64), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False, server_default='reply'),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['handoff_pk'], ['handoff_request.id'],
                                name=op.f('fk_handoff_message_handoff_pk_handoff_request'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_message')),
        sa.UniqueConstraint('slack_event', name=op.f('uq_handoff_message_slack_event')),
    )
    with op.batch_alter_table('handoff_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_message_handoff_pk'), ['handoff_pk'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('handoff_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_message_handoff_pk'))
    op.drop_table('handoff_message')
    with op.batch_alter_table('handoff_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_request_slack_ts'))
        batch_op.drop_index(batch_op.f('ix_handoff_request_conversation'))
        batch_op.drop_constraint(batch_op.f('uq_handoff_request_reference'), type_='unique')
        for column in ('ended_by', 'ended_at', 'first_reply_at', 'slack_ts', 'slack_channel', 'conversation',
                       'status', 'reference'):
            batch_op.drop_column(column)
