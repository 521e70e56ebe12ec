"""``manage.py load_demo``: the bundled demo pack (clips/demo/manifest.json) as public clips.

Idempotent: each item has a stable key; a second run creates nothing and only
updates the text fields in place.
"""

import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clips import services
from clips.models import Clip, Status, Visibility

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
TEXT_FIELDS = ("title", "alt_text", "tells", "explanation", "generator", "difficulty", "source", "creator",
               "licence", "dataset", "digital_source_type", "regions")


class Command(BaseCommand):
    help = "Load the bundled demo clips (real photographs and edits we made, with exact tells)."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEMO_DIR), help="Folder holding manifest.json.")

    def handle(self, *args, path, **options):
        root = Path(path)
        try:
            items = json.loads((root / "manifest.json").read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {root / 'manifest.json'}: {error}")
        created = updated = 0
        by_key: dict[str, Clip] = {}
        for item in items:
            key = f"demo:{item['key']}"
            fields = {name: item[name] for name in TEXT_FIELDS}
            fields["source_url"] = item.get("url", "")
            clip = Clip.objects.filter(import_key=key).first()
            if clip is None:
                with (root / item["file"]).open("rb") as handle:
                    clip = services.clip_create(
                        owner=None, original=File(handle, name=Path(item["file"]).name), import_key=key,
                        fields={**fields, "truth": item["truth"], "technique": item["technique"],
                                "depicts_real_person": item["depicts_real_person"],
                                "visibility": Visibility.PUBLIC},
                    )
                created += 1
            else:
                Clip.objects.filter(pk=clip.pk).update(**fields)
                if clip.status == Status.FAILED:
                    services.clip_retry(clip=clip)
                updated += 1
            by_key[item["key"]] = clip
        with transaction.atomic():
            for item in items:
                if item.get("sibling"):
                    Clip.objects.filter(pk=by_key[item["key"]].pk).update(sibling=by_key[item["sibling"]])
        ready = Clip.objects.filter(import_key__startswith="demo:", status=Status.READY).count()
        self.stdout.write(f"Demo pack: {created} clips added, {updated} already there; {ready} ready.")
