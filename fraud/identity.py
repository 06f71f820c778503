"""Ghost workers behind one account: a bank account or phone shared across households."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from fraud.findings import Finding, Reason


@dataclass(frozen=True)
class Contact:
    worker_id: str
    household_id: str
    bank_account: str | None = None  # a keyed hash, never the number: equal hashes, equal numbers
    phone: str | None = None


def shared_contacts(contacts: list[Contact], subjects: set[str] | None = None) -> list[Finding]:
    """Workers (of `subjects`, every one when None) whose bank account or phone another household's worker has
    too; members of one household may share a phone or an account."""
    found = []
    for kind, field in (("shared_bank_account", "bank_account"), ("shared_phone", "phone")):
        holders: dict[str, dict[str, str]] = defaultdict(dict)  # value -> worker -> household
        for contact in contacts:
            value = getattr(contact, field)
            if value:
                holders[value][contact.worker_id] = contact.household_id
        for workers in holders.values():
            if len(set(workers.values())) < 2:
                continue
            for worker, household in sorted(workers.items()):
                if subjects is None or worker in subjects:
                    others = sum(1 for h in workers.values() if h != household)
                    found.append(Finding(kind, "worker", worker, Reason(kind, {"count": str(others)})))
    return sorted(found, key=lambda finding: (finding.kind, finding.subject_id))
