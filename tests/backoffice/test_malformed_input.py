"""Malformed input to the yearly data update is ignored or a form error, never a server error."""

import pytest

from tests.backoffice.helpers import business_firm, open_year, return_form, return_url
from tests.curation.helpers import BUSINESS, as_user, post_form


@pytest.mark.parametrize("index", ["²", "٣", "99999999999999999999"])
def test_a_list_row_whose_index_is_no_number_is_ignored(client, index):
    firm = business_firm(BUSINESS)
    assert open_year(client).status_code == 302
    as_user(client, BUSINESS)
    page = return_url(firm)
    data = return_form(action="save")
    data[f"workforce_needs-{index}-occupation"] = "Thợ hàn"

    response = post_form(client, page, page, data)

    assert response.status_code == 302
    assert "Thợ hàn" not in client.get(page).get_data(as_text=True)
