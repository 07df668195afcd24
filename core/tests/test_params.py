import datetime

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from core import params


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12", 12),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("٣", None),  # a digit int() reads, but no id is written that way
        ("-1", None),
        ("0", None),
        (" 12", None),
        ("", None),
        (None, None),
        ("99999999999999999999", None),  # past a BigAutoField
        (str(params.MAX_ID), params.MAX_ID),
    ],
)
def test_whole_numbers_are_ascii_digits_within_range(raw, number):
    assert params.whole_number(raw) == number


def test_ids_of_a_repeated_name_skip_bad_values_and_repeats():
    data = QueryDict("c=3&c=²&c=1&c=3&c=-2")
    assert params.get_ids(data, "c") == [3, 1]
    assert params.get_id(data, "c") is None  # the last value, as QueryDict.get reads it


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2026-03-02", datetime.date(2026, 3, 2)),
        ("2026-13-45", None),  # matches the ISO pattern, yet date() refuses it
        ("2026-02-30", None),
        ("9999-12-31", None),  # a real date, but a step forward would leave datetime's range
        ("1899-12-31", None),
        ("nonsense", None),
    ],
)
def test_dates_are_real_and_within_range(raw, day):
    assert params.get_date({"date": raw}, "date") == day


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        ("2026-03-02T10:00", True),
        ("2026-03-02T10:00-05:00", True),
        ("2026-13-45T10:00", False),
        ("2026-03-02T25:00", False),
        ("2026-03-02T10:00+99:00", False),
        ("0001-01-01T00:00:00+23:59", False),
    ],
)
def test_moments_are_real_and_within_range(raw, valid):
    assert (params.get_datetime({"start": raw}, "start") is not None) == valid


def test_choices_and_text():
    assert params.get_choice({"view": "month"}, "view", ("day", "month"), "day") == "month"
    assert params.get_choice({"view": "year"}, "view", ("day", "month"), "day") == "day"
    assert params.get_text({"q": "  Jor\x00dan  "}, "q") == "Jordan"
    assert params.get_text({"q": "x" * 500}, "q", max_length=60) == "x" * 60


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/clients/12/?tab=insurance", True),
        ("-1", False),  # redirect() would try it as a view name
        ("//evil.example/", False),
        ("/\\evil.example/", False),  # browsers read it as //evil.example
        ("https://evil.example/", False),
        ("/clients/\x00", False),
        ("/" + "x" * 3000, False),
    ],
)
def test_next_is_a_path_on_this_host(target, kept):
    request = RequestFactory().get("/", HTTP_HOST="riverside.localhost")
    assert params.get_next(request, {"next": target}) == (target if kept else "")
