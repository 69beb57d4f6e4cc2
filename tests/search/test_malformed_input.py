"""Malformed input to the search page is refused or cleaned, never a server error."""

import re

import pytest


def test_nul_in_the_query_is_dropped(client):
    response = client.get("/search?q=n%C6%B0%E1%BB%9Bc%00%00+th%E1%BA%A3i&kind=firm")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "\x00" not in html
    assert 'value="nước thải"' in html


@pytest.mark.parametrize("page", ["²", "99999999999999999999"])
def test_page_that_is_no_page_number_is_not_found(client, page):
    assert client.get(f"/search?q=nuoc&page={page}").status_code == 404


@pytest.mark.parametrize("name", ["_external", "_scheme", "_anchor", "_method"])
def test_any_query_argument_name_is_kept_in_filter_links(client, name):
    response = client.get(f"/search?q=nuoc&kind=firm&group=NT&{name}=x")
    assert response.status_code == 200
    chips = re.findall(r'class="chip chip-filter" href="([^"]+)"', response.get_data(as_text=True))
    assert chips
    assert all(f"{name}=x" in link for link in chips)
