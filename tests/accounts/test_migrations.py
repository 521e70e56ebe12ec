"""The address migration, run against the historical model as on a database in use (``migrate_to``)."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_addresses_made_with_capitals_are_stored_in_lower_case_unless_that_makes_two_the_same(migrate_to):
    apps = migrate_to([("accounts", "0001_initial")])
    User = apps.get_model("accounts", "User")
    tess = User.objects.create(email="Tess.Teacher@School.org", password="!")
    twin = User.objects.create(email="Sam@Example.com", password="!")
    sam = User.objects.create(email="sam@example.com", password="!")
    apps = migrate_to([("accounts", "0002_lowercase_emails")])
    User = apps.get_model("accounts", "User")
    assert User.objects.get(pk=tess.pk).email == "tess.teacher@school.org"
    # Lower-cased, it would be sam's: left for an admin to merge, never a unique-key failure.
    assert User.objects.get(pk=twin.pk).email == "Sam@Example.com"
    assert User.objects.get(pk=sam.pk).email == "sam@example.com"
