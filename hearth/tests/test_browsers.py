# ruff: noqa: E501  (real user-agent strings are long)
import pytest

from hearth.browsers import is_outdated

CURRENT = {
    "chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36",
    "edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0 Safari/537.36 Edg/150.0",
    "firefox": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:140.0) Gecko/20100101 Firefox/140.0",
    "safari": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15",
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
}
OLD = {
    "ie11": "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko",
    "chrome80": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.149 Safari/537.36",
    "firefox78": "Mozilla/5.0 (X11; Linux x86_64; rv:78.0) Gecko/20100101 Firefox/78.0",
    "safari13": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1 Safari/605.1.15",
    "old_edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0 Safari/537.36 Edg/90.0",
}


@pytest.mark.parametrize("agent", CURRENT.values(), ids=CURRENT.keys())
def test_current_browsers_are_supported(agent):
    assert not is_outdated(agent)


@pytest.mark.parametrize("agent", OLD.values(), ids=OLD.keys())
def test_old_browsers_are_outdated(agent):
    assert is_outdated(agent)


def test_the_login_page_warns_an_outdated_browser(org, clinic_client):
    client = clinic_client(org)
    assert "out of date" in client.get("/login/", HTTP_USER_AGENT=OLD["ie11"]).content.decode()
    assert "out of date" not in client.get("/login/", HTTP_USER_AGENT=CURRENT["firefox"]).content.decode()
