"""Checking JSON API answers against the served OpenAPI description: the subset of JSON Schema the spec uses.
The ``spec`` and ``conforms`` fixtures (tests/conftest.py) build on it, for the API tests and for any other
tests that also call the API."""
from __future__ import annotations

import re
from typing import Any, Callable


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def check_schema(spec: dict[str, Any], value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """The subset of JSON Schema the spec uses: $ref, oneOf, type, enum, pattern, minimum, required,
    properties, additionalProperties, items, prefixItems, minItems, maxItems. Raises AssertionError naming
    the place."""
    if "$ref" in schema:
        check_schema(spec, value, resolve(spec, schema["$ref"]), where)
        return
    if "oneOf" in schema:
        matched = 0
        for option in schema["oneOf"]:
            try:
                check_schema(spec, value, option, where)
            except AssertionError:
                continue
            matched += 1
        assert matched == 1, f"{where}: {value!r} matches {matched} of the oneOf schemas, not exactly one"
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        assert any(_TYPES[kind](value) for kind in kinds), f"{where}: {value!r} is not {kinds}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if "pattern" in schema and isinstance(value, str):
        assert re.search(schema["pattern"], value), f"{where}: {value!r} does not match {schema['pattern']}"
    if "minimum" in schema and isinstance(value, int):
        assert value >= schema["minimum"], f"{where}: {value} < {schema['minimum']}"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: missing {sorted(missing)}"
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                check_schema(spec, item, properties[key], f"{where}.{key}")
            elif extra is False:
                raise AssertionError(f"{where}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                check_schema(spec, item, extra, f"{where}.{key}")
    if isinstance(value, list):
        assert len(value) >= schema.get("minItems", 0), f"{where}: too few items"
        assert len(value) <= schema.get("maxItems", len(value)), f"{where}: too many items"
        prefix = schema.get("prefixItems", [])
        for index, item in enumerate(value):
            item_schema = prefix[index] if index < len(prefix) else schema.get("items")
            if item_schema is not None:
                check_schema(spec, item, item_schema, f"{where}[{index}]")


def check_response(spec: dict[str, Any], response: Any, path: str, method: str, status: int) -> None:
    """The answer has ``status`` and matches what the spec promises for it."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    answer = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in answer:
        answer = resolve(spec, answer["$ref"])
    check_schema(spec, response.get_json(), answer["content"]["application/json"]["schema"])
