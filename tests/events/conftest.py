import pytest

from tests.events.helpers import agencies, organisers


@pytest.fixture
def world(app):
    """Two agencies (SCT and another), their curators and an administrator."""
    found = agencies()
    with app.test_request_context():
        yield {"agencies": found, **organisers(found)}
