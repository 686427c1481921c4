"""Domain errors, and the one place where they (and HTTP errors) become pages or JSON.

Services raise these; views never build error responses by hand. The API answers
``{"error": code, "message": text}`` (422 adds ``fields``), the HTML side a friendly page.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from policyhub import i18n
from policyhub.requestlog import current_request_id

API_PREFIX = "/api/"


class Message(str):
    """English that a person may read, kept with what another language needs to say it: the catalogue's
    ``msgid`` and the ``values`` put into it. It is the English text itself (what the API, logs and tests
    see); a page shows it through ``i18n.translated``."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, values: dict[str, Any] | None = None) -> "Message":
        text = super().__new__(cls, msgid % values if values else msgid)
        text.msgid, text.values = msgid, values or {}
        return text


def N_(message: str, **values: Any) -> Message:
    """Marks English for the catalogue (pybabel extracts ``N_`` by default) without translating it here:
    services write English, and a page translates it where it shows it. ``values`` fill ``%(name)s``
    placeholders; a value that is itself an ``N_`` message is translated too (a field's label)."""
    return Message(message, values)


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class PolicyHubError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def payload(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}


class BadRequest(PolicyHubError):
    status, code = 400, "bad_request"


class Unauthorized(PolicyHubError):
    status, code = 401, "unauthorized"


class Forbidden(PolicyHubError):
    status, code = 403, "forbidden"


class NotFound(PolicyHubError):
    status, code = 404, "not_found"


class Conflict(PolicyHubError):
    status, code = 409, "conflict"


class TooLarge(PolicyHubError):
    status, code = 413, "too_large"


class Invalid(PolicyHubError):
    """Input that parsed but breaks a rule; ``fields`` maps each field to its message."""

    status, code = 422, "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message, fields=fields or {})
        self.fields: dict[str, str] = fields or {}


class EditConflict(Conflict):
    """A save whose base is stale and whose change overlaps what was saved since.

    Carries everything needed to show both texts and keep what the user typed.
    """

    def __init__(self, message: str, *, document: Any, current: Any, base_number: int,
                 title: str, body: str, summary: str, conflicts: tuple[Any, ...]) -> None:
        super().__init__(message, current_revision=current.number)
        self.document = document
        self.current = current
        self.base_number = base_number
        self.title = title
        self.body = body
        self.summary = summary
        self.conflicts = conflicts


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"error": _CODES.get(status, "error"), "message": message, **extra})
    response.status_code = status
    return response


def html_error(status: int, message: str, request_id: str | None = None) -> tuple[str, int]:
    """The error page; ``request_id`` (server errors) is shown so that a person can quote it."""
    with force_locale(_page_language()):
        return render_template("errors/error.html", status=status, message=message, request_id=request_id), status


def _page_language() -> str:
    """The reader's language for an error page. Choosing it may read the signed-in person's account; when the
    database or the session is what failed, that fails too, and the page goes by what the request says."""
    try:
        return i18n.current()
    except Exception:  # whatever broke the page must not break its error page as well
        return i18n.request_language()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(PolicyHubError)
    def _domain_error(error: PolicyHubError) -> Any:
        if wants_json():
            response = jsonify(error.payload())
            response.status_code = error.status
            return response
        if isinstance(error, Unauthorized) and request.method == "GET":
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return html_error(error.status, i18n.translated(error.message))  # the API keeps the English

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        message = N_("Your form expired or came from another site. Go back, reload the page and try again.")
        if wants_json():
            return json_error(400, message)
        return html_error(400, gettext(message))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        status = error.code or 500
        message = _friendly_message(status, error.description or "")
        response = (json_error(status, message) if wants_json()
                    else make_response(html_error(status, i18n.translated(message))))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(500)
    def _server_error(error: Exception) -> Any:
        message = N_("Something went wrong on our side. Nothing you sent was saved twice; please try again.")
        request_id = current_request_id()
        if wants_json():
            return json_error(500, message, request_id=request_id)
        return html_error(500, gettext(message), request_id=request_id)


def _friendly_message(status: int, description: str) -> str:
    return {
        404: N_("There is no page at this address. It may have moved, or the link may be mistyped."),
        413: N_("What you sent is too large (requests are limited to 1 MB)."),
        429: N_("Too many attempts. Please wait a minute and try again."),
        405: N_("This address does not accept that kind of request."),
    }.get(status, description)
