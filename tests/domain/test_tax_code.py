import pytest
from flask_babel import force_locale

from app.domain.tax_code import TaxCodeError, format_tax_code, normalize_tax_code


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0100233488", "0100233488"),
        ("4300378569", "4300378569"),
        (" 4300378569 ", "4300378569"),
        ("0314409058-002", "0314409058002"),
        ("0314409058002", "0314409058002"),
        ("051234567890", "051234567890"),  # 12-digit personal ID of a household business
    ],
)
def test_valid_tax_codes_are_stored_as_digits(raw, stored):
    assert normalize_tax_code(raw) == stored


def test_branch_codes_are_displayed_with_hyphen():
    assert format_tax_code("0314409058002") == "0314409058-002"
    assert format_tax_code("0100233488") == "0100233488"


def _message(raw: str, app) -> str:
    with app.test_request_context(), force_locale("en"), pytest.raises(TaxCodeError) as error:
        normalize_tax_code(raw)
    return str(error.value)


def test_wrong_check_digit_says_so(app):
    assert "check digit" in _message("0100233480", app)


def test_wrong_branch_check_digit_says_so(app):
    assert "check digit" in _message("0314409050-002", app)


@pytest.mark.parametrize(
    "raw", ["abc", "12345", "01002334881", "0100233488-12", "0100-233488", "", "１２３"]
)
def test_garbage_says_what_a_tax_code_looks_like(raw, app):
    message = _message(raw, app)
    assert "10 digits" in message or "Enter a tax code" in message


def test_error_is_in_vietnamese_by_default(app):
    with app.test_request_context(), pytest.raises(TaxCodeError) as error:
        normalize_tax_code("0100233480")
    assert "chữ số kiểm tra" in str(error.value) or "kiểm tra" in str(error.value)
