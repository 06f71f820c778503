"""A supervisor in two places at once: records for sites far apart sent within minutes."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from fraud.findings import Finding, Reason, Thresholds


@dataclass(frozen=True)
class Receipt:
    """Records one supervisor sent for one site in one request."""

    supervisor_id: str
    site_id: str
    region_path: str  # the site's region, "/36/3601/360101/360101001/360101001001/"
    at: datetime
    request_id: str


def far_apart(first: str, second: str, depth: int) -> bool:
    """Whether two region paths part before sharing `depth` levels (4: province, city, county, township)."""
    return first.strip("/").split("/")[:depth] != second.strip("/").split("/")[:depth]


def supervisor_far_apart(receipts: list[Receipt], limits: Thresholds = Thresholds()) -> list[Finding]:
    """Supervisors who sent records for far-apart sites within the limit's minutes, in separate requests (the
    closest such pair named)."""
    by_supervisor: dict[str, list[Receipt]] = defaultdict(list)
    for receipt in receipts:
        by_supervisor[receipt.supervisor_id].append(receipt)
    found = []
    for supervisor, sent in sorted(by_supervisor.items()):
        sent.sort(key=lambda r: (r.at, r.site_id, r.request_id))
        closest = None
        for place, first in enumerate(sent):
            for second in sent[place + 1:]:
                gap = (second.at - first.at).total_seconds() / 60
                if gap > limits.far_minutes:
                    break
                if (first.request_id != second.request_id
                        and far_apart(first.region_path, second.region_path, limits.same_place_depth)
                        and (closest is None or gap < closest[0])):
                    closest = (gap, first.site_id, second.site_id)
        if closest is not None:
            gap, one, other = closest
            found.append(Finding("supervisor_far_apart", "supervisor", supervisor, Reason("supervisor_far_apart", {
                "minutes": f"{gap:.0f}", "first": one, "second": other})))
    return found
