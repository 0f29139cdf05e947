"""Initial schema: companies, feeds, alerts and the seed system's indexes.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three tables, their constraints and the seed's indexes."""
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("priority IN ('HIGH', 'MEDIUM', 'LOW')", name="ck_companies_priority"),
        sa.PrimaryKeyConstraint("id", name="pk_companies"),
        sa.UniqueConstraint("name", name="uq_companies_name"),
    )
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("last_fetch", sa.DateTime(timezone=True), nullable=True),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("tge_alerts_found", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('rss', 'twitter', 'file')", name="ck_feeds_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    op.create_index("idx_feed_active_priority", "feeds", ["is_active", "priority"])
    op.create_index("idx_feed_last_fetch", "feeds", ["last_fetch"])
    op.create_index("idx_feed_performance", "feeds", ["tge_alerts_found", "success_count"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("matched_keywords", sa.JSON(), nullable=False),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("urgency_level", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name="ck_alerts_confidence_range"
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name="fk_alerts_company_id_companies",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name="fk_alerts_feed_id_feeds", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("content_hash", name="uq_alerts_content_hash"),
    )
    op.create_index(
        "idx_alerts_company_conf_time", "alerts", ["company_id", "confidence", "created_at"]
    )
    op.create_index("idx_alerts_status_created", "alerts", ["status", "created_at"])
    op.create_index("idx_alerts_urgency_created", "alerts", ["urgency_level", "created_at"])
    op.create_index("idx_alerts_created_desc", "alerts", [sa.text("created_at DESC")])


def downgrade() -> None:
    """Drop everything :func:`upgrade` created."""
    for name in (
        "idx_alerts_created_desc",
        "idx_alerts_urgency_created",
        "idx_alerts_status_created",
        "idx_alerts_company_conf_time",
    ):
        op.drop_index(name, table_name="alerts")
    op.drop_table("alerts")
    for name in ("idx_feed_performance", "idx_feed_last_fetch", "idx_feed_active_priority"):
        op.drop_index(name, table_name="feeds")
    op.drop_table("feeds")
    op.drop_table("companies")
