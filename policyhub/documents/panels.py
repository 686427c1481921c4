"""Extension point for the document page: other packages add panels without the documents package
knowing them. A provider takes (document, viewer) and returns template variables; each package's
blueprint module registers its provider, and its partial under templates/<package>/ reads them."""
from __future__ import annotations

from typing import Any, Callable

from policyhub.documents.models import Document

Provider = Callable[[Document, Any], dict[str, Any]]
_providers: list[Provider] = []


def provider(function: Provider) -> Provider:
    """Register ``function`` (use as a decorator in a package's views module)."""
    if function not in _providers:
        _providers.append(function)
    return function


def collect(document: Document, viewer: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for function in _providers:
        context.update(function(document, viewer))
    return context
