"""core.paging: a page and whether another follows, from one slice, without counting."""

import pytest

from core.paging import page_number, window


class Slices(list):
    """A list that records the slices read, to check that a page costs one read of ``per_page + 1``."""

    def __init__(self, *args):
        super().__init__(*args)
        self.reads = []

    def __getitem__(self, index):
        self.reads.append((index.start, index.stop))
        return super().__getitem__(index)


def test_a_page_reads_one_row_past_itself_and_knows_no_total_until_the_end():
    items = Slices(range(60))
    first = window(items, 1, 25)
    assert items.reads == [(0, 26)]
    assert list(first) == list(range(25)) and first.has_next and not first.has_previous and first.count is None
    assert (first.start_index, first.end_index) == (1, 25)
    last = window(items, 3, 25)
    assert list(last) == list(range(50, 60)) and not last.has_next and last.has_previous and last.count == 60


def test_a_list_that_fits_on_one_page_is_counted():
    page = window([1, 2, 3], 1, 25)
    assert page.count == 3 and not page.has_other_pages
    empty = window([], 1, 25)
    assert empty.count == 0 and (empty.start_index, empty.end_index) == (0, 0)


def test_a_page_past_the_end_falls_back_to_the_first():
    page = window(list(range(30)), 7, 25)
    assert page.number == 1 and page.rows[:2] == [0, 1]


def test_a_limit_stops_paging_and_says_when_more_would_match():
    items = Slices(range(300))
    page = window(items, 8, 25, limit=200)
    assert items.reads == [(175, 201)]  # one row past the limit, to know whether it hides more
    assert list(page)[-1] == 199 and not page.has_next and page.capped and page.count is None
    assert window(list(range(300)), 99, 25, limit=200).number == 8  # no page past the limit
    under = window(list(range(190)), 8, 25, limit=200)
    assert not under.capped and under.count == 190
    small = window(list(range(5)), 1, 25, limit=3)
    assert list(small) == [0, 1, 2] and small.capped


@pytest.mark.parametrize(("raw", "number"), [("2", 2), (None, 1), ("", 1), ("x", 1), ("0", 1), ("-3", 1), (7, 7)])
def test_page_numbers_from_the_request(raw, number):
    assert page_number(raw) == number
