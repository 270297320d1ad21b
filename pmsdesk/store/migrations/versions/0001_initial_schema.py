"""Initial schema: patients, courses, visits, assessments, adverse events, relapses, DMT history, settings.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 02:46:34.542694
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patient',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('family_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('given_names', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('phenotype', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('onset_year', sa.Integer(), nullable=True),
    sa.Column('diagnosis_date', sa.Date(), nullable=True),
    sa.Column('dominant_hand', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('education_years', sa.Integer(), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient')),
    sa.UniqueConstraint('clinic_id', name=op.f('uq_patient_clinic_id'))
    )
    op.create_table('setting',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('dmt_history',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('agent', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('stop_date', sa.Date(), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_dmt_history_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dmt_history'))
    )
    with op.batch_alter_table('dmt_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dmt_history_patient_id'), ['patient_id'], unique=False)

    op.create_table('relapse',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('onset_date', sa.Date(), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_relapse_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relapse'))
    )
    with op.batch_alter_table('relapse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relapse_patient_id'), ['patient_id'], unique=False)

    op.create_table('treatment_course',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('agent', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('agent_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('planned_dose', sa.Float(), nullable=True),
    sa.Column('dose_unit', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('interval_weeks_min', sa.Integer(), nullable=True),
    sa.Column('interval_weeks_max', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('protocol_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_treatment_course_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_course'))
    )
    with op.batch_alter_table('treatment_course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_course_patient_id'), ['patient_id'], unique=False)

    op.create_table('visit',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('treatment_number', sa.Integer(), nullable=True),
    sa.Column('dose_given', sa.Float(), nullable=True),
    sa.Column('dose_unit', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('lp_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('lp_needle', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('lp_attempts', sa.Integer(), nullable=True),
    sa.Column('csf_removed_ml', sa.Float(), nullable=True),
    sa.Column('performed_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['treatment_course.id'], name=op.f('fk_visit_course_id_treatment_course'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_visit_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_visit_date'), ['visit_date'], unique=False)

    op.create_table('adverse_event',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('term', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('term_other', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('onset_date', sa.Date(), nullable=False),
    sa.Column('ctcae_grade', sa.Integer(), nullable=True),
    sa.Column('serious', sa.Boolean(), nullable=False),
    sa.Column('relatedness', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('resolved_date', sa.Date(), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_adverse_event_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_adverse_event_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adverse_event'))
    )
    with op.batch_alter_table('adverse_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adverse_event_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adverse_event_visit_id'), ['visit_id'], unique=False)

    op.create_table('edss_assessment',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('edss', sa.Float(), nullable=True),
    sa.Column('fs_visual', sa.Integer(), nullable=True),
    sa.Column('fs_brainstem', sa.Integer(), nullable=True),
    sa.Column('fs_pyramidal', sa.Integer(), nullable=True),
    sa.Column('fs_cerebellar', sa.Integer(), nullable=True),
    sa.Column('fs_sensory', sa.Integer(), nullable=True),
    sa.Column('fs_bowel_bladder', sa.Integer(), nullable=True),
    sa.Column('fs_cerebral', sa.Integer(), nullable=True),
    sa.Column('ambulation', sa.Integer(), nullable=True),
    sa.Column('computed_edss', sa.Float(), nullable=True),
    sa.Column('computed_rules', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_edss_assessment_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edss_assessment')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_edss_assessment_visit_id'))
    )
    op.create_table('nhpt_assessment',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('dominant_trial1_s', sa.Float(), nullable=True),
    sa.Column('dominant_trial2_s', sa.Float(), nullable=True),
    sa.Column('dominant_not_completed', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('nondominant_trial1_s', sa.Float(), nullable=True),
    sa.Column('nondominant_trial2_s', sa.Float(), nullable=True),
    sa.Column('nondominant_not_completed', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('not_completed_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('dominant_hand', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_nhpt_assessment_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nhpt_assessment')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_nhpt_assessment_visit_id'))
    )
    op.create_table('sdmt_assessment',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('modality', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('form', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_sdmt_assessment_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sdmt_assessment')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_sdmt_assessment_visit_id'))
    )
    op.create_table('six_minute_walk',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_six_minute_walk_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_six_minute_walk')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_six_minute_walk_visit_id'))
    )
    op.create_table('t25fw_assessment',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('trial1_s', sa.Float(), nullable=True),
    sa.Column('trial2_s', sa.Float(), nullable=True),
    sa.Column('walking_aid', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('not_completed', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('not_completed_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('more_than_two_attempts', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_t25fw_assessment_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_t25fw_assessment')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_t25fw_assessment_visit_id'))
    )


def downgrade() -> None:
    op.drop_table('t25fw_assessment')
    op.drop_table('six_minute_walk')
    op.drop_table('sdmt_assessment')
    op.drop_table('nhpt_assessment')
    op.drop_table('edss_assessment')
    with op.batch_alter_table('adverse_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adverse_event_visit_id'))
        batch_op.drop_index(batch_op.f('ix_adverse_event_patient_id'))

    op.drop_table('adverse_event')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_visit_date'))
        batch_op.drop_index(batch_op.f('ix_visit_patient_id'))
        batch_op.drop_index(batch_op.f('ix_visit_course_id'))

    op.drop_table('visit')
    with op.batch_alter_table('treatment_course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_treatment_course_patient_id'))

    op.drop_table('treatment_course')
    with op.batch_alter_table('relapse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relapse_patient_id'))

    op.drop_table('relapse')
    with op.batch_alter_table('dmt_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dmt_history_patient_id'))

    op.drop_table('dmt_history')
    op.drop_table('setting')
    op.drop_table('patient')
