"""Interest shown in a vacancy on its public page: a name and a phone for the cadre of the labourer's village."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.crypto import Encrypted
from app.db.declarative import Base
from app.db.models.types import new_id, utcnow

INTEREST_STATUSES = ("new", "handled")


class VacancyInterest(Base):
    """A referral request: who left their name on a vacancy's public page, and the village they gave, whose cadre
    calls them back and refers them (or not). Written by anyone, so it holds only what the form asks."""

    __tablename__ = "vacancy_interests"
    __table_args__ = (Index("ix_vacancy_interests_region_created", "region_code", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    # By id alone: the vacancy is derived from its events, so a rebuild empties it until the replay posts it again.
    vacancy_id: Mapped[str] = mapped_column(String(64), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))  # the labourer's village
    name: Mapped[str] = mapped_column("name_encrypted", Encrypted)
    phone: Mapped[str] = mapped_column("phone_encrypted", Encrypted)
    status: Mapped[str] = mapped_column(String(16), default="new")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled_by: Mapped[str | None] = mapped_column(String(200))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
