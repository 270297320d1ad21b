"""Electronic signatures state their meaning and are bound to the visit's content; sign-in lockout.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:15:00

visit: the signer's printed name, the signature's meaning and the SHA-256 digest of the visit's
content at signing (nullable: visits signed before keep their signer and time, with no digest).
user_account: consecutive failed sign-ins, when the last one was, and until when the account is locked.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('visit') as batch:
        batch.add_column(sa.Column('signed_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch.add_column(sa.Column('signature_meaning', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.add_column(sa.Column('signature_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('failed_sign_ins', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('last_failed_sign_in_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('locked_until')
        batch.drop_column('last_failed_sign_in_at')
        batch.drop_column('failed_sign_ins')
    # visit in place, never batch mode: rebuilding it would cascade-delete its assessments (see 0003)
    for column in ('signature_digest', 'signature_meaning', 'signed_name'):
        op.execute(f"ALTER TABLE visit DROP COLUMN {column}")
