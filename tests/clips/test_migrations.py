"""Migrations that change data: run against the historical models, as on a database in use
(``migrate_to``, in tests/conftest.py)."""

import pytest

BEFORE = [("clips", "0003_importjob_warnings")]
AFTER = [("clips", "0005_clip_whole_consent_to_share")]


@pytest.mark.django_db(transaction=True)
def test_a_shared_real_person_with_a_partial_consent_record_is_made_private_not_deleted(migrate_to):
    apps = migrate_to(BEFORE)
    Clip = apps.get_model("clips", "Clip")
    n = iter(range(100))

    def clip(**fields):
        fields = {"depicts_real_person": True, "visibility": "public", **fields}
        return Clip.objects.create(public_id=f"clip-{next(n)}", title="Interview", alt_text="A person talking.",
                                   truth="synthetic", technique="face_swap", **fields)

    partial = clip(consent_subject="Jane")
    no_date = clip(consent_subject="Jane", consent_obtained_by="Tess", visibility="classes")
    whole = clip(consent_subject="Jane", consent_obtained_by="Tess", consent_date="2026-09-01")
    researched = clip(consent_subject="Jane", research_basis="Celeb-DF v2, research licence")
    not_a_person = clip(depicts_real_person=False)

    apps = migrate_to(AFTER)
    Clip = apps.get_model("clips", "Clip")
    visibility = dict(Clip.objects.values_list("pk", "visibility"))
    assert visibility == {partial.pk: "private", no_date.pk: "private", whole.pk: "public",
                          researched.pk: "public", not_a_person.pk: "public"}
    assert Clip.objects.get(pk=partial.pk).consent_subject == "Jane"
