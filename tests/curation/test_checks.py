"""Automatic checks: tax code, duplicates by tax code base and by similar name, required
fields, offerings."""

import sqlalchemy as sa

from app.curation.checks import name_key, run_checks
from app.extensions import db
from app.models import Firm, FirmStatus
from tests.curation.helpers import submitted_firm


def results(firm: Firm) -> dict:
    return {result.code: result for result in run_checks(firm)}


def test_a_complete_listing_passes_every_check(seeded_app):
    with seeded_app.test_request_context():
        assert all(result.passed for result in run_checks(submitted_firm()))


def test_branch_of_a_listed_firm_is_flagged_as_a_possible_duplicate(seeded_app):
    firm = submitted_firm()
    other = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    firm.tax_code = f"{other.tax_code[:10]}099"
    db.session.commit()

    with seeded_app.test_request_context():
        check = results(firm)["no_duplicate_tax_code"]

    assert not check.passed
    assert other in [match for match, _score in check.matches]


def test_similar_name_is_flagged_with_the_matching_firm(seeded_app):
    firm = submitted_firm()
    other = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    firm.legal_name = f"Công ty Cổ phần {other.legal_name.upper()}"
    firm.trade_name = None
    db.session.commit()

    with seeded_app.test_request_context():
        check = results(firm)["no_similar_name"]

    assert not check.passed
    assert (other, 100) in check.matches


def test_legal_form_words_alone_do_not_make_names_similar():
    assert name_key("Công ty TNHH Môi trường Xanh") == "moi truong xanh"
    assert name_key("CÔNG TY CỔ PHẦN Đầu tư Đà Nẵng") == "dau tu da nang"


def test_missing_fields_and_offerings_fail_their_checks(seeded_app):
    firm = submitted_firm()
    firm.ward_code = None
    firm.insured_employees = None
    firm.catalogue_links = []
    db.session.commit()

    with seeded_app.test_request_context():
        checks = results(firm)

    assert not checks["ward"].passed
    assert not checks["size_inputs"].passed
    assert not checks["offerings"].passed
    assert checks["legal_name"].passed and checks["tax_code_valid"].passed


def test_a_household_business_needs_no_size_figures_but_an_enterprise_does(seeded_app):
    firm = submitted_firm()
    firm.insured_employees = firm.revenue_vnd = firm.capital_vnd = None
    firm.tax_code, firm.enterprise_type = "001203004567", "household"
    db.session.commit()

    with seeded_app.test_request_context():
        household = results(firm)["size_inputs"].passed
        firm.tax_code, firm.enterprise_type = "4300378569", "joint_stock"
        enterprise = results(firm)["size_inputs"].passed

    assert household and not enterprise
