"""Reading API input: the JSON body and query parameters, refused with 400 when malformed.

Rules: a body must be ``application/json``, strict UTF-8, one JSON object, with no key given twice and no
non-standard constants (NaN, Infinity). A field of the wrong JSON type is a 400 naming the field; a field
that is missing or null counts as absent, and whether it was required is the service's rule (422).
Unknown fields are ignored. Query parameters that must be numbers are plain ASCII decimal integers.
Bodies over MAX_CONTENT_LENGTH never get here: Werkzeug answers 413 when the body is read.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from flask import request

from policyhub.documents.models import STATUSES
from policyhub.errors import BadRequest, Invalid, NotFound
from policyhub.validation import MAX_INTEGER

JSON_TYPE = "application/json"
# Page and revision numbers stay far below this; bigger ones would overflow a database integer.
MAX_NUMBER = MAX_INTEGER
_INTEGER = re.compile(r"-?[0-9]{1,12}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BadRequest(f"The key '{key}' appears more than once in the JSON body.")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise BadRequest(f"{name} is not valid JSON.")


def json_body() -> dict[str, Any]:
    """The request body as a JSON object, or BadRequest saying what is wrong with it."""
    if request.mimetype != JSON_TYPE:
        raise BadRequest("Send the body as JSON with 'Content-Type: application/json'.")
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The body is not valid UTF-8 (byte {error.start}).") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise BadRequest(f"The body is not valid JSON: {error.msg} at line {error.lineno}, "
                         f"column {error.colno}.") from None
    except RecursionError:
        raise BadRequest("The body is nested too deeply.") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


def optional_json_body() -> dict[str, Any]:
    """As ``json_body``, for requests whose fields are all optional: no body at all reads as ``{}``."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def text_field(data: dict[str, Any], name: str) -> str | None:
    """A string field, or None when it is missing or null."""
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string.")
    return value


def optional_integer_field(data: dict[str, Any], name: str) -> int | None:
    """An integer field, or None when it is missing or null (true and false are not integers, nor is 3.0)."""
    value = data.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadRequest(f"'{name}' must be an integer.")
    return value


def integer_field(data: dict[str, Any], name: str) -> int:
    """A required integer field, as ``optional_integer_field`` but Invalid when absent."""
    value = optional_integer_field(data, name)
    if value is None:
        raise Invalid(f"'{name}' is required.", {name: "Required: a revision number."})
    return value


def refuse_field(data: dict[str, Any], name: str, reason: str) -> None:
    """BadRequest when ``name`` is present at all: for fields a caller must never choose (unlike unknown
    fields, which are ignored, these would be silently overruled, so the caller is told instead)."""
    if name in data:
        raise BadRequest(f"'{name}' is not accepted here: {reason}")


def _integer_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not _INTEGER.fullmatch(raw):
        raise BadRequest(f"'{name}' must be an integer.")
    return int(raw)


def page_arg() -> int:
    """The ``page`` parameter: a positive integer, 1 when absent. A page past the end is empty, not an error."""
    page = _integer_arg("page")
    if page is None:
        return 1
    if not 1 <= page <= MAX_NUMBER:
        raise BadRequest(f"'page' must be an integer from 1 to {MAX_NUMBER}.")
    return page


def revision_arg(name: str) -> int:
    """A required revision number parameter. A number no revision can have is NotFound, like any other
    revision that does not exist."""
    number = _integer_arg(name)
    if number is None:
        raise BadRequest(f"'{name}' is required: a revision number.")
    if not 1 <= number <= MAX_NUMBER:
        raise NotFound(f"There is no revision {number}.")
    return number


def revision_or_current_arg(current: int, name: str = "revision") -> tuple[int, bool]:
    """An optional revision number parameter, ``current`` when absent or empty; and whether it named a revision
    older than ``current`` (whose answer never changes, so a visitor's cache may keep it)."""
    if not request.args.get(name):
        return current, False
    number = revision_arg(name)
    return number, number < current


def choice_arg(name: str, choices: Sequence[str]) -> str | None:
    """A parameter that must be one of ``choices``, or None when absent or empty."""
    value = request.args.get(name) or None
    if value is not None and value not in choices:
        raise BadRequest(f"'{name}' must be one of: {', '.join(choices)}.")
    return value


def status_arg() -> str | None:
    """The ``status`` filter: one of the document statuses, or None when absent."""
    return choice_arg("status", STATUSES)


def flag_arg(name: str) -> bool:
    """A yes/no parameter: ``1`` or ``true`` is yes; absent, empty, ``0`` or ``false`` is no."""
    value = (request.args.get(name) or "0").lower()
    if value not in ("0", "1", "false", "true"):
        raise BadRequest(f"'{name}' must be 1 or 0.")
    return value in ("1", "true")


def area_arg() -> str | None:
    """The ``area`` filter (matched case-insensitively by the service), or None when absent."""
    return request.args.get("area") or None
