"""User accounts, visit sign-off, soft deletion, and the append-only hash-chained audit trail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:10:00

Columns are added with plain ALTER TABLE ADD COLUMN, not batch mode: batch mode would rebuild
``visit`` by dropping it, and with foreign keys on, dropping it would cascade to its assessments.
The audit trail is made append-only in the database too: triggers refuse UPDATE and DELETE of
``audit_event`` and DELETE of ``audit_head`` (SQLite and PostgreSQL).
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64  # the "previous hash" of the first audit entry (pmsdesk.store.audit)
SOFT_DELETABLE = ("visit", "adverse_event", "relapse", "dmt_history")
APPEND_ONLY_MESSAGE = "audit_event is append-only: entries cannot be changed or removed"


def upgrade() -> None:
    op.create_table('user_account',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('occurred_at', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('row_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('before', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('after', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('details', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('previous_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('entry_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    op.create_index(op.f('ix_audit_event_patient_id'), 'audit_event', ['patient_id'], unique=False)
    op.create_index(op.f('ix_audit_event_visit_id'), 'audit_event', ['visit_id'], unique=False)
    head = op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.bulk_insert(head, [{"id": 1, "last_id": 0, "last_hash": GENESIS_HASH}])

    for table in SOFT_DELETABLE:
        op.add_column(table, sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column('deleted_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
    op.add_column('visit', sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # One ALTER adds the column with its reference (Alembic would want batch mode); a SQLite
        # downgrade leaves the column in place, so an upgrade after one finds it there.
        if "signed_by" not in {column["name"] for column in sa.inspect(op.get_bind()).get_columns("visit")}:
            op.execute("ALTER TABLE visit ADD COLUMN signed_by INTEGER "
                       "CONSTRAINT fk_visit_signed_by_user_account REFERENCES user_account (id)")
    else:
        op.add_column('visit', sa.Column('signed_by', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_visit_signed_by_user_account'), 'visit', 'user_account', ['signed_by'], ['id'])

    if dialect == "sqlite":
        for table, verb in (("audit_event", "UPDATE"), ("audit_event", "DELETE"), ("audit_head", "DELETE")):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")
    elif dialect == "postgresql":
        op.execute("CREATE FUNCTION pmsdesk_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$")
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION pmsdesk_append_only()")
        op.execute("CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
                   "FOR EACH ROW EXECUTE FUNCTION pmsdesk_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("audit_event_no_update", "audit_event_no_delete", "audit_head_no_delete"):
            op.execute(f"DROP TRIGGER {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP TRIGGER audit_head_no_delete ON audit_head")
        op.execute("DROP FUNCTION pmsdesk_append_only()")
    if dialect == "sqlite":
        # In place (SQLite 3.35+), never batch mode: see the module docstring. SQLite cannot drop a
        # column that carries a foreign key in place, so visit.signed_by stays, emptied (0002 ignores it).
        op.execute("UPDATE visit SET signed_by = NULL")
        for table, column in (*((t, c) for t in SOFT_DELETABLE for c in ("deleted_reason", "deleted_at")),
                              ("visit", "signed_at")):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_constraint(op.f('fk_visit_signed_by_user_account'), 'visit', type_='foreignkey')
        for table, column in (*((t, c) for t in SOFT_DELETABLE for c in ("deleted_reason", "deleted_at")),
                              ("visit", "signed_at"), ("visit", "signed_by")):
            op.drop_column(table, column)
    op.drop_table('audit_head')
    op.drop_index(op.f('ix_audit_event_visit_id'), table_name='audit_event')
    op.drop_index(op.f('ix_audit_event_patient_id'), table_name='audit_event')
    op.drop_table('audit_event')
    op.drop_table('user_account')
