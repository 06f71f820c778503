"""What a rule finds: a kind of review flag, its subject, and the reason in a code and parameters."""
from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("cloned_attendance", "shared_bank_account", "shared_phone", "never_absent", "two_sites_one_day",
         "output_spike", "supervisor_far_apart")

# The English of each reason; the pages translate the same sentence with the same parameters.
WORDING = {
    "cloned_attendance": "checked in and out at the same minutes as {others} on {days} days",
    "shared_bank_account": "shares a bank account with {count} worker(s) of other households",
    "shared_phone": "shares a phone number with {count} worker(s) of other households",
    "never_absent": "never absent in {days} days, always from {check_in} to {check_out}",
    "two_sites_one_day": "worked {hours} hours at {sites} sites on {day}",
    "output_spike": "made {quantity} on {day}, {times} times their usual {median} (robust score {score})",
    "supervisor_far_apart": "recorded for sites in different townships {minutes} minutes apart ({first}, {second})",
}


@dataclass(frozen=True)
class Reason:
    code: str  # one of KINDS
    params: dict[str, str] = field(default_factory=dict)

    def english(self) -> str:
        return WORDING[self.code].format(**self.params)


@dataclass(frozen=True)
class Finding:
    kind: str
    subject_type: str  # "worker" or "supervisor"
    subject_id: str
    reason: Reason


@dataclass(frozen=True)
class Thresholds:
    """Where each rule draws its line (fraud's docstring says what each means)."""

    clone_days: int = 5
    clone_share: float = 0.5
    steady_days: int = 40
    steady_share: float = 0.9
    day_limit: int = 600  # minutes of work in one day across sites
    spike_score: float = 3.5
    spike_history: int = 10  # days of output before a score means anything
    far_minutes: int = 30
    same_place_depth: int = 4  # region path components two sites share to be near: province to township
