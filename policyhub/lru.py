"""A least-recently-used map bounded by the total size of its values, thread-safe, and one per app.

Rebuilt revision texts, attributions and visitors' pages are all kept this way. Each app has its own
caches (tests build many apps on databases whose ids repeat), made on first use.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import current_app


class SizedLRU:
    """Entries are dropped, least recently used first, once their sizes add up to more than ``max_size``.
    A single entry larger than ``max_size // largest_share`` is not kept at all: one huge value must not
    push out everything else."""

    def __init__(self, max_size: int, largest_share: int = 4) -> None:
        self.max_size = max_size
        self.largest = max_size // largest_share
        self.size = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers serve requests from several threads

    def get(self, key: Hashable) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.largest:
            return
        with self._lock:
            self._pop(key)
            self._entries[key] = (value, size)
            self.size += size
            while self.size > self.max_size:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._pop(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _pop(self, key: Hashable) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[1]


_creating = threading.Lock()


def app_cache(name: str, max_size_key: str, default_size: int, largest_share: int = 4) -> SizedLRU:
    """The current app's cache called ``name``, sized by its config value ``max_size_key``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get(name)
    if cache is None:
        with _creating:
            cache = app.extensions.get(name)
            if cache is None:
                cache = SizedLRU(int(app.config.get(max_size_key, default_size)), largest_share)
                app.extensions[name] = cache
    return cache
