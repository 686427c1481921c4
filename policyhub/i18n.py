"""Languages: which one a request is answered in, and the formats that follow it.

A signed-in person's choice (User.locale) wins; then the ``lang`` cookie the footer's switcher sets for
visitors; then the browser's Accept-Language; then English. The catalogues live in
policyhub/translations (``make translations`` extracts and updates them; README, "Languages").
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Flask, has_request_context, request
from flask_babel import Babel, format_datetime as babel_datetime, format_decimal, get_locale, gettext, ngettext
from flask_login import current_user

# Code -> the language's own name, as the switcher shows it (a reader who cannot read the current language
# must still find theirs).
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
DEFAULT = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def supported(code: str | None) -> str | None:
    """``code`` when it names a language we have, else None."""
    return code if code in LANGUAGES else None


def request_language() -> str:
    """What the request itself asks for: the switcher's cookie, then the browser's Accept-Language."""
    return (supported(request.cookies.get(COOKIE)) or request.accept_languages.best_match(list(LANGUAGES))
            or DEFAULT)


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT
    chosen = supported(getattr(current_user, "locale", None)) if current_user.is_authenticated else None
    return chosen or request_language()


def current() -> str:
    """The code of the language this request is answered in (cached on ``g`` by Flask-Babel)."""
    return str(get_locale() or DEFAULT)


def translated(message: str) -> str:
    """A message a service wrote in English, in the reader's language where the catalogue has it: an
    errors.N_ message is looked up by its msgid and its values put back (those that are N_ messages
    translated too); any other text is looked up as it is, and shown as it is when the catalogue lacks it."""
    if not message:
        return message  # gettext("") would answer the catalogue's header
    values = getattr(message, "values", None)
    if values:
        return gettext(message.msgid,  # type: ignore[attr-defined]
                       **{name: translated(value) if hasattr(value, "msgid") else value
                          for name, value in values.items()})
    return gettext(getattr(message, "msgid", message))


def format_when(value: datetime | None, style: str = "medium") -> str:
    """'5 Nov 2026, 14:03 UTC' ('short': '5 Nov 2026'), month names in the reader's language."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    if style == "short":
        return babel_datetime(value, "d MMM y")
    return babel_datetime(value, "d MMM y, HH:mm") + " UTC"


_AGO_UNITS = ((60, 1, "second"), (3600, 60, "minute"), (86400, 3600, "hour"), (86400 * 14, 86400, "day"))


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """'3 minutes ago', '2 days ago', then the date: for history lists."""
    if value is None:
        return ""
    seconds = int(((now or datetime.now(timezone.utc)) - value).total_seconds())
    for limit, size, unit in _AGO_UNITS:
        if seconds < limit:
            count = max(seconds // size, 0)
            if unit == "second" and count < 10:
                return gettext("just now")
            return _ago_phrase(unit, count)
    return format_when(value, "short")


def _ago_phrase(unit: str, count: int) -> str:
    # Written out per unit: a translator needs whole sentences, and each language has its own plurals.
    if unit == "second":
        return ngettext("%(num)d second ago", "%(num)d seconds ago", count)
    if unit == "minute":
        return ngettext("%(num)d minute ago", "%(num)d minutes ago", count)
    if unit == "hour":
        return ngettext("%(num)d hour ago", "%(num)d hours ago", count)
    return ngettext("%(num)d day ago", "%(num)d days ago", count)


def format_number(value: int | float) -> str:
    """1,234 in English; the reader's locale decides separators."""
    return format_decimal(value)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    babel.init_app(app, locale_selector=select_locale)
    # {% trans %} blocks lose their line breaks and indentation: msgids stay one clean line (babel.cfg agrees).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters.update(datetime=format_when, ago=ago, number=format_number)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current, translated=translated)

    @app.after_request
    def _vary_on_language(response: Any) -> Any:
        # The same address answers in another language for another Accept-Language or cookie.
        if "text/html" in (response.mimetype or ""):
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response

