from app.domain.enterprise import (
    EnterpriseType,
    has_size_class,
    is_dependent_unit,
    is_enterprise,
    parent_tax_code,
    tax_code_fits,
)


def test_only_enterprises_under_the_law_on_enterprises_count_as_enterprises():
    assert is_enterprise("joint_stock") and is_enterprise(EnterpriseType.PRIVATE_ENTERPRISE)
    for kind in ("household", "branch", "representative_office", "cooperative"):
        assert not is_enterprise(kind)
    assert not is_enterprise(None)


def test_a_dependent_unit_has_a_13_digit_code_and_only_it_does():
    assert is_dependent_unit("branch") and not is_dependent_unit("llc_one_member")
    assert tax_code_fits("branch", "0314409058002")
    assert not tax_code_fits("branch", "0314409058")
    assert not tax_code_fits("joint_stock", "0314409058002")
    assert tax_code_fits("household", "001203004567")  # personal ID since 1/7/2025
    assert tax_code_fits("household", "0314409058")  # a code issued before
    assert not tax_code_fits("joint_stock", "001203004567")
    assert tax_code_fits(None, "0314409058002")


def test_parent_code_of_a_branch():
    assert parent_tax_code("0314409058002") == "0314409058"
    assert parent_tax_code("0314409058") is None


def test_only_enterprises_and_their_dependent_units_have_a_size_class():
    assert has_size_class("private_enterprise") and has_size_class("branch")
    for kind in ("household", "cooperative", "public_service_unit", "other_organisation", None):
        assert not has_size_class(kind)
