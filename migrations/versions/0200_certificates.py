"""certificates: issued PDFs, verification codes, revocation and re-issue

Revision ID: 0200
Revises: 0500
Create Date: 2026-11-22 14:41:49.103672

"""
from alembic import op
import sqlalchemy as sa

import academy.core.models


# revision identifiers, used by Alembic.
revision = '0200'
down_revision = '0500'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('course', 'certification', name='certificate_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject_code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('titles', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('learner_name', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=1, asdecimal=False), nullable=True),
    sa.Column('issued_at', academy.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('serial', sa.String(length=48), nullable=False),
    sa.Column('verification_code', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('valid', 'revoked', 'superseded', 'expired', name='certificate_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('design', sa.String(length=64), nullable=False),
    sa.Column('paper', sa.String(length=16), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('certification_record_id', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), server_default='0', nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('revoked_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', academy.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('supersede_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL)", name=op.f('ck_certificate_revoked_has_date')),
    sa.CheckConstraint('expires_at IS NULL OR expires_at > issued_at', name=op.f('ck_certificate_expiry_after_issue')),
    sa.CheckConstraint('revision >= 0', name=op.f('ck_certificate_revision_not_negative')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_certificate_enrollment_id_enrollment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_certificate_revoked_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificate.id'], name=op.f('fk_certificate_superseded_by_id_certificate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_certificate_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('certification_record_id', 'revision', name='uq_certificate_certification_record_revision'),
    sa.UniqueConstraint('enrollment_id', 'revision', name='uq_certificate_enrollment_revision'),
    sa.UniqueConstraint('serial', name=op.f('uq_certificate_serial')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_certificate_verification_code'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_pdf_sha256'), ['pdf_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_subject_code'), ['subject_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_superseded_by_id'), ['superseded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_superseded_by_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_subject_code'))
        batch_op.drop_index(batch_op.f('ix_certificate_status'))
        batch_op.drop_index(batch_op.f('ix_certificate_pdf_sha256'))
        batch_op.drop_index(batch_op.f('ix_certificate_issued_at'))

    op.drop_table('certificate')
