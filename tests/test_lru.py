"""The size-bounded LRU behind the revision text, attribution and page caches."""
from __future__ import annotations

from policyhub.lru import SizedLRU, app_cache


def test_least_recently_used_entries_go_first_once_the_sizes_exceed_the_bound():
    cache = SizedLRU(10, largest_share=1)
    cache.put("a", "A", 4)
    cache.put("b", "B", 4)
    assert cache.get("a") == "A"  # now "b" is the least recently used
    cache.put("c", "C", 4)
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    assert cache.size == 8 and len(cache) == 2


def test_an_entry_larger_than_its_share_is_not_kept_and_pushes_nothing_out():
    cache = SizedLRU(100, largest_share=4)
    cache.put("small", 1, 10)
    cache.put("huge", 2, 26)
    assert cache.get("huge") is None and cache.get("small") == 1


def test_replacing_and_discarding_keep_the_size_right():
    cache = SizedLRU(100)
    cache.put("k", "one", 10)
    cache.put("k", "two", 20)
    assert cache.get("k") == "two" and cache.size == 20
    cache.discard("k")
    cache.discard("missing")
    assert cache.size == 0 and len(cache) == 0


def test_each_app_has_its_own_cache_sized_from_its_config(app, make_app):
    one = app_cache("test.cache", "TEST_CACHE_BYTES", 99)
    assert app_cache("test.cache", "TEST_CACHE_BYTES", 99) is one and one.max_size == 99
    with make_app(TEST_CACHE_BYTES=1234).app_context():
        other = app_cache("test.cache", "TEST_CACHE_BYTES", 99)
        assert other is not one and other.max_size == 1234
