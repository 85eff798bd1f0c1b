"""submission.team_verified: whether the person gave the team's code

Existing checks were made before team codes existed, so they are unverified: from now on
they are shown as earlier results only to the person who made them (same respondent id).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_verified', sa.Boolean(create_constraint=False), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('team_verified')
