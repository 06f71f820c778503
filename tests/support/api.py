"""A thin client for the API under test: bearer token, JSON in and out."""
from __future__ import annotations

from typing import Any


class ApiClient:
    def __init__(self, client, token: str):
        self.client = client
        self.token = token

    def as_token(self, token: str | None) -> "ApiClient":
        return ApiClient(self.client, token)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", query_string=params, headers=self._headers())

    def post(self, path: str, body: Any = None):
        return self.client.post(f"/api/v1{path}", json=body, headers=self._headers())

    def created(self, path: str, body: Any) -> dict:
        response = self.post(path, body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()
