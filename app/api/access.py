"""Who may do what: the one place that decides it (role, region scope, supervised sites)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_smorest import abort
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.db.models import Assignment, Household, Region, Site, TokenSite, Worker
from app.tokens import find_token

READ_PEOPLE = ("admin", "poverty_office", "post_manager", "supervisor")


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str
    region_path: str | None  # None: nationwide
    site_ids: frozenset[str]

    def covers(self, region_path: str) -> bool:
        return self.region_path is None or region_path.startswith(self.region_path)


def authenticate(session: Session) -> Principal:
    """The caller behind the bearer token; 401 when it is missing, unknown, revoked or expired."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    record = find_token(session, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if record is None:
        abort(401, message="a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    region_path = session.get(Region, record.region_code).path if record.region_code else None
    sites = frozenset(session.scalars(select(TokenSite.site_id).where(TokenSite.token_id == record.id)))
    return Principal(record.id, record.role, region_path, sites)


def authorize(session: Session, *roles: str) -> Principal:
    """Authenticate, then 403 unless the caller has one of `roles`."""
    principal = authenticate(session)
    if principal.role not in roles:
        abort(403, message=f"the {principal.role} role may not do this")
    return principal


def require_region(principal: Principal, session: Session, region_code: str) -> Region:
    region = session.get(Region, region_code)
    if region is None:
        abort(404, message=f"unknown region {region_code}")
    if not principal.covers(region.path):
        abort(403, message="outside your region")
    return region


def require_region_field(principal: Principal, session: Session, region_code: str, field: str) -> Region:
    """A region named in a request body: 422 on `field` when unknown, 403 when outside scope."""
    if session.get(Region, region_code) is None:
        abort(422, errors={field: [f"unknown region {region_code}"]})
    return require_region(principal, session, region_code)


def require_site(principal: Principal, session: Session, site: Site) -> None:
    """A supervisor acts only on the sites they supervise; everyone else within their region."""
    if principal.role == "supervisor":
        if site.id not in principal.site_ids:
            abort(403, message="you do not supervise this site")
        return
    require_region(principal, session, site.region_code)


def require_worker(principal: Principal, session: Session, worker: Worker) -> None:
    """A supervisor reads the workers assigned to their sites; others those of their region."""
    if principal.role == "supervisor":
        supervised = session.scalar(select(exists().where(
            Assignment.worker_id == worker.id, Assignment.site_id.in_(principal.site_ids))))
        if not supervised:
            abort(403, message="this worker has no assignment at your sites")
        return
    household = session.get(Household, worker.household_id)
    require_region(principal, session, household.region_code)


def forbidden_sites(principal: Principal, session: Session, site_ids: set[str]) -> list[str]:
    """The ids among `site_ids` this caller may not log work for (supervisors and admins log work)."""
    if principal.role == "supervisor":
        return sorted(site_ids - principal.site_ids)
    if principal.role != "admin":
        return sorted(site_ids)
    if principal.region_path is None:
        return []
    rows = session.execute(
        select(Site.id, Region.path).join(Region, Site.region_code == Region.code).where(Site.id.in_(site_ids)))
    return sorted(site_ids - {row.id for row in rows if principal.covers(row.path)})
