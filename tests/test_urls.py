"""Absolute links are built on SITE_URL, in a request (whatever its Host) and in a command."""

import pytest

from app.urls import public_url, use_site_url


def test_a_link_built_in_a_request_ignores_the_host_it_came_with(app):
    app.config["SITE_URL"] = "https://cnmt.quangngai.example/directory"

    with app.test_request_context("/", headers={"Host": "evil.example"}):
        link = public_url("firms.detail", slug="xu-ly-nuoc")

    assert link == "https://cnmt.quangngai.example/directory/firms/xu-ly-nuoc"


def test_a_command_builds_the_same_links_without_a_request(app):
    use_site_url("https://cnmt.quangngai.example")

    assert public_url("accounts.login") == "https://cnmt.quangngai.example/login"


@pytest.mark.parametrize("address", ["cnmt.example.vn", "ftp://cnmt.example.vn", "https://"])
def test_a_site_address_that_is_not_absolute_http_is_refused(app, address):
    with pytest.raises(ValueError, match="SITE_URL"):
        use_site_url(address)
