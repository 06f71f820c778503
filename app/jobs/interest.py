"""Interest shown in a vacancy on its public page: checked, then kept for the cadre of the labourer's village."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Region, Vacancy, VacancyInterest

NAME_CHARS = 50
VILLAGE_CHOICES = 500  # a county's villages fit a list; beyond, the village is typed as its code
_PHONE = re.compile(r"1[3-9]\d{9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_NOT_A_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff<>]")


class InterestRefused(ValueError):
    """The form cannot be kept as it is: `errors` maps each field at fault to its problem (English words, which
    the page translates)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{field}: {problem}" for field, problem in errors.items()))
        self.errors = errors


def normal_phone(text: str) -> str | None:
    """A mainland mobile number as 11 digits ("138 0013-8000", "+86 13800138000" -> "13800138000"), or None."""
    digits = _PHONE_SEPARATORS.sub("", text)
    digits = digits[3:] if digits.startswith("+86") else digits[2:] if digits.startswith("86") and len(digits) == 13 \
        else digits
    return digits if _PHONE.fullmatch(digits) else None


def villages_for(session: Session, vacancy: Vacancy) -> list[Region] | None:
    """The villages a labourer may say they are from: those of the vacancy's office region (None: too many to
    list, so the village is typed as its code)."""
    office = session.get(Region, vacancy.office_region_code)
    found = list(session.scalars(select(Region).where(Region.level == "village", Region.path.startswith(office.path))
                                 .order_by(Region.path).limit(VILLAGE_CHOICES + 1)))
    return None if len(found) > VILLAGE_CHOICES else found


def record_interest(session: Session, vacancy: Vacancy, name: str, phone: str, village: str) -> VacancyInterest:
    """Keep a labourer's name and phone for the cadre of `village` (a village of the vacancy's office region).
    Raises InterestRefused for a closed vacancy, an empty or overlong name, a number that is no mobile phone, or
    a village outside the region."""
    errors = {}
    name = " ".join(name.split())
    if vacancy.status != "open":
        errors["vacancy"] = "no longer open"
    if not name or len(name) > NAME_CHARS or _NOT_A_NAME.search(name):
        errors["name"] = "a name"
    number = normal_phone(phone)
    if number is None:
        errors["phone"] = "a mobile number"
    region = session.get(Region, village.strip()) if village.strip() else None
    office = session.get(Region, vacancy.office_region_code)
    if region is None or region.level != "village" or not region.path.startswith(office.path):
        errors["village"] = "a village"
    if errors:
        raise InterestRefused(errors)
    interest = VacancyInterest(vacancy_id=vacancy.id, region_code=region.code, name=name, phone=number,
                               status="new", created_at=datetime.now(UTC))
    session.add(interest)
    session.flush()
    return interest
