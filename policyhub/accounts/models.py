"""People and their API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from policyhub.db import created_at, intpk
from policyhub.extensions import db

if TYPE_CHECKING:
    from policyhub.parties.models import Membership, Party


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    deactivated_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    # Part of the id kept in sessions and remember-me cookies (get_id): raising it ends them all at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # NULL until the owner of the address follows the link we mailed; such an account cannot sign in.
    email_confirmed_at: Mapped[datetime | None]
    # The interface language they chose (policyhub/i18n.py LANGUAGES); NULL: their browser's.
    locale: Mapped[str | None] = mapped_column(String(8))

    membership: Mapped["Membership | None"] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # flask-login treats inactive users as signed out
        return self.deactivated_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        """What flask-login stores in the session and the remember-me cookie: ``"<id>.<session_version>"``."""
        return f"{self.id}.{self.session_version}"

    @property
    def party(self) -> "Party | None":
        """The party this person speaks for: only an approved membership counts."""
        membership = self.membership
        return membership.party if membership is not None and membership.is_approved else None

    @property
    def is_member(self) -> bool:
        return self.party is not None

    @property
    def is_lead(self) -> bool:
        return self.is_member and self.membership is not None and self.membership.role == "lead"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
