"""Output far outside a worker's own history, by a robust z-score."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median

from fraud.findings import Finding, Reason, Thresholds

CONSISTENCY = 0.6745  # makes the median absolute deviation of normal data estimate its standard deviation


@dataclass(frozen=True)
class DayOutput:
    worker_id: str
    day: date
    quantity: int  # the day's pieces, every product and grade together


def robust_score(value: float, history: list[float]) -> float:
    """How far `value` lies above the median of `history`, in robust standard deviations (Iglewicz and
    Hoaglin's modified z-score). A history without spread gets a floor of one unit or 5% of its median, so
    a steady worker's first double day scores high rather than infinite. Raises ValueError for no history."""
    if not history:
        raise ValueError("a robust score needs a history")
    middle, scale = _centre_and_scale(history)
    return CONSISTENCY * (value - middle) / scale


def _centre_and_scale(history: list[float]) -> tuple[float, float]:
    middle = median(history)
    return middle, max(median(abs(x - middle) for x in history), 1, 0.05 * abs(middle))


def output_spikes(outputs: list[DayOutput], month: str, limits: Thresholds = Thresholds()) -> list[Finding]:
    """Workers with a day in `month` (YYYY-MM) scoring above the limit against all their days given (the
    month's and before), the highest such day named."""
    by_worker: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for output in outputs:
        by_worker[output.worker_id][output.day] += output.quantity
    found = []
    for worker, days in sorted(by_worker.items()):
        history = list(days.values())
        if len(history) < limits.spike_history:
            continue
        middle, scale = _centre_and_scale(history)
        scored = [(CONSISTENCY * (quantity - middle) / scale, day, quantity) for day, quantity in days.items()
                  if day.isoformat()[:7] == month]
        high = [item for item in scored if item[0] > limits.spike_score]
        if high:
            score, day, quantity = max(high, key=lambda item: (item[0], -item[1].toordinal()))
            found.append(Finding("output_spike", "worker", worker, Reason("output_spike", {
                "quantity": str(quantity), "day": day.isoformat(), "median": f"{middle:g}",
                "times": f"{quantity / middle:.1f}" if middle else "many", "score": f"{score:.1f}"})))
    return found
