"""Checking JSON API answers against the served OpenAPI description, for the endorsement tests that also
call the API (tests/api/conftest.py's ``conforms``, which fixtures in this folder cannot reach)."""
from __future__ import annotations

from typing import Any, Callable

from tests.api.conftest import check_schema


def conformance_checker(client: Any) -> Callable[[Any, str, str, int], None]:
    """``check(response, path, method, status)``: the answer has that status and matches what the spec
    promises for it."""
    spec = client.get("/api/v1/openapi.json").get_json()

    def check(response: Any, path: str, method: str, status: int) -> None:
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        answer = spec["paths"][path][method]["responses"][str(status)]
        if "$ref" in answer:
            answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
        check_schema(spec, response.get_json(), answer["content"]["application/json"]["schema"])
    return check
