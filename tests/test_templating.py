"""Template helpers: the page-number window of pagination."""
from __future__ import annotations

import pytest

from policyhub.templating import page_window


@pytest.mark.parametrize(("page", "pages", "expected"), [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (4, 10, [1, 2, 3, 4, 5, 6, None, 10]),
    (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
    (400, 400, [1, None, 398, 399, 400]),
])
def test_the_window_shows_the_ends_and_the_pages_around_this_one_with_gaps(page, pages, expected):
    assert page_window(page, pages) == expected


def test_the_window_does_not_grow_with_the_number_of_pages():
    assert len(page_window(200, 400)) == len(page_window(200, 4000)) == 9
