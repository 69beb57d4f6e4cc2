"""Malformed input to the reference-data pages is ignored or a form error, never a server
error."""

import pytest

from tests.curation.helpers import ADMIN, as_user, post_form


@pytest.mark.parametrize("parent", ["²", "99999999999999999999", "x"])
def test_a_parent_that_is_no_id_preselects_nothing(client, parent):
    as_user(client, ADMIN)
    assert client.get(f"/curation/refdata/catalogue/new?parent={parent}").status_code == 200


@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_an_incubator_capacity_no_column_holds_is_a_form_error(client, value):
    as_user(client, ADMIN)
    url = "/curation/refdata/incubators/new"
    response = post_form(
        client,
        url,
        url,
        {"name_vi": "Vườn ươm thử", "host_organisation": "Trường Đại học", "capacity": value},
    )
    assert response.status_code in (200, 400)
    assert "Vườn ươm thử" in response.get_data(as_text=True)
