"""The search index's job queue: one row per pending index update, written in the change's own transaction."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from policyhub.db import created_at, intpk
from policyhub.extensions import db

JOB_KINDS = ("document", "amendment")


class IndexJob(db.Model):
    """"Re-index ``kind`` number ``target_id`` from the database". Rows are deleted once applied.

    Applying reads the target's state at that moment, so a job is idempotent and several jobs for one
    target collapse into one update. ``not_before`` is a lease while a process applies the job and a back-off
    after a failure (the index was busy or broken): the job is retried after it, never lost.
    """

    __tablename__ = "search_index_jobs"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    created_at: Mapped[created_at]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    not_before: Mapped[datetime | None] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<IndexJob {self.kind}:{self.target_id} attempts={self.attempts}>"
