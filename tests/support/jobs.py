"""The jobs area in the `world` registry: an employer, vacancies and referrals made through the API and applied
by the consumers."""
from __future__ import annotations

from typing import Any

DAILY = {"kind": "daily", "day_rate_fen": 15000}


def staged(api, path: str, body: dict[str, Any] | None = None) -> dict:
    response = api.post(path, body if body is not None else {})
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def employer(api, id: str = "e-seedlings", region: str = "360702101201") -> dict:
    return api.created("/employers", {"id": id, "kind": "industrial_base", "name": "Flower seedling base",
                                      "region_code": region, "office_region_code": "360702"})


def vacancy(api, consume, **fields: Any) -> str:
    body = {"title": "Seedling planter", "count": 1, "physical_demand": "medium", "scheme": DAILY,
            "start_date": "2026-04-01", "skills": ["seedlings"], **fields}
    if "site_id" not in body and "employer_id" not in body:  # the seedling base's, made the first time
        if api.get("/employers/e-seedlings").status_code == 404:
            employer(api)
        body["employer_id"] = "e-seedlings"
    vacancy_id = staged(api, "/vacancies", body)["vacancy_id"]
    consume()
    return vacancy_id


def referral(api, consume, vacancy_id: str, worker_id: str) -> str:
    referral_id = staged(api, "/referrals", {"vacancy_id": vacancy_id, "worker_id": worker_id})["referral_id"]
    consume()
    return referral_id
