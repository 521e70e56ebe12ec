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


@pytest.mark.django_db(transaction=True)
def test_import_keys_become_each_owners_and_the_demo_packs_stay(migrate_to):
    apps = migrate_to([("clips", "0005_clip_whole_consent_to_share")])
    User = apps.get_model("accounts", "User")
    Clip = apps.get_model("clips", "Clip")
    teacher = User.objects.create(email="t@example.com", password="!")

    def clip(key, owner=None):
        return Clip.objects.create(title="C", alt_text="A scene.", truth="real", media_type="image", status="ready",
                                   owner=owner, import_key=key).pk

    mine, site, demo, none = clip(":photo1.jpg", teacher), clip("dfdc:a.mp4"), clip("demo:pier"), clip(None)
    apps = migrate_to([("clips", "0006_import_keys_per_owner")])
    keys = dict(apps.get_model("clips", "Clip").objects.values_list("pk", "import_key"))
    assert keys == {mine: f"{teacher.pk}::photo1.jpg", site: "site:dfdc:a.mp4", demo: "demo:pier", none: None}
