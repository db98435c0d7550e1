"""The account with its own employee record, read by hand, equals what the ORM reads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from hadir.org.models import Employee
from hadir.org.selectors import account_with_employee
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern


@pytest.mark.parametrize("own_pattern", [None, "MADRASAH_6H_MINGGU"])
def test_the_account_comes_with_its_employee_unit_and_patterns_in_one_query(
    db: None, own_pattern: str | None
) -> None:
    unit = UnitFactory.create(code="MAN-2", default_pattern=pattern(), timezone="Asia/Makassar")
    account = UserFactory.create()
    EmployeeFactory.create(
        unit=unit, user=account, pattern=pattern(own_pattern) if own_pattern else None
    )
    expected = Employee.objects.select_related("unit__default_pattern", "pattern").get(user=account)

    with CaptureQueriesContext(connection) as queries:
        user = account_with_employee(account.pk)
        assert user is not None
        found = user.employee
        related = (found.unit, found.unit.default_pattern, found.pattern, found.user)

    assert len(queries) == 1
    assert model_to_dict(user) == model_to_dict(account)
    assert related[3] is user
    assert model_to_dict(found) == model_to_dict(expected)
    assert model_to_dict(related[0]) == model_to_dict(expected.unit)
    assert related[1] == expected.unit.default_pattern
    assert related[2] == expected.pattern
    assert found.effective_pattern_code == (own_pattern or "KANTOR_5H")
    assert found.start == expected.start


def test_an_account_without_an_employee_record_has_none_without_asking_again(db: None) -> None:
    account = UserFactory.create()

    with CaptureQueriesContext(connection) as queries:
        user = account_with_employee(account.pk)
        assert user is not None
        assert getattr(user, "employee", None) is None

    assert len(queries) == 1
    assert user.pk == account.pk


def test_an_unknown_account_is_none(db: None) -> None:
    assert account_with_employee(987654) is None
