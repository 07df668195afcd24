"""core.paging: a page and whether another follows, from one slice, without counting."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from core.paging import MAX_PAGE, page_number, window


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


@pytest.mark.parametrize(
    ("raw", "number"),
    [("2", 2), (None, 1), ("", 1), ("x", 1), ("0", 1), ("-3", 1), (7, 7), ("²", 1), ("99999999999999999999", 1)],
)
def test_page_numbers_from_the_request(raw, number):
    assert page_number(raw) == number


def test_a_page_number_too_large_to_slice_is_page_1():
    assert page_number(MAX_PAGE) == MAX_PAGE and page_number(MAX_PAGE + 1) == 1
    assert page_number("99999999999999999999999") == 1 and page_number("²") == 1


def _pager(query: dict, page, **options) -> str:
    request = RequestFactory().get("/clients/7/schedule/", query)
    arguments = " ".join(f'{key}="{value}"' for key, value in options.items())
    template = Template("{% load paging %}{% pager page " + arguments + " %}")
    return template.render(Context({"request": request, "page": page}))


def test_the_pager_keeps_the_other_parameters_and_pages_its_own():
    html = _pager({"upcoming": "2", "category": "", "past": "4"}, window(list(range(100)), 4, 20), param="past")
    assert 'href="?upcoming=2&amp;past=3" rel="prev"' in html and 'href="?upcoming=2&amp;past=5" rel="next"' in html
    assert "Page 4</span>" in html and "data-hx-get" not in html  # no target: plain links only


def test_the_pager_swaps_its_target_with_htmx_and_shows_the_total_on_the_last_page():
    html = _pager({}, window(list(range(45)), 3, 20), target="past-list", label="Pages of past appointments")
    assert '<nav class="pager" aria-label="Pages of past appointments">' in html
    assert 'href="?page=2" rel="prev" data-hx-get="?page=2" data-hx-target="#past-list"' in html
    assert 'data-hx-select="#past-list" data-hx-swap="outerHTML" data-hx-push-url="true"' in html
    assert "Page 3 of 3" in html and 'rel="next"' not in html


def test_a_list_on_one_page_has_no_pager():
    assert _pager({}, window([1, 2], 1, 20)).strip() == ""
