"""A teacher uploads an image and a video and watches them become ready (real worker on Redis)."""

from pathlib import Path

import pytest
from PIL import Image

from clips.models import Clip, Status

from .conftest import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

DEMO = Path(__file__).resolve().parents[2] / "clips" / "demo"


def upload(page, live_server, file: Path, title: str, alt: str) -> None:
    page.goto(f"{live_server.url}/clips/upload/")
    page.get_by_label("Media file").set_input_files(str(file))
    page.get_by_label("Title").fill(title)
    page.get_by_label("Alt text").fill(alt)
    page.get_by_label("Truth").select_option("real")
    page.get_by_label("Source", exact=False).first.fill("Own camera")
    page.get_by_label("Licence").fill("CC-BY-4.0")
    page.get_by_label("Digital source type").select_option("digitalCapture")
    page.get_by_role("button", name="Upload").click()


def test_teacher_uploads_image_and_video_and_sees_them_become_ready(
    page, live_server, problems, axe, screenshot, teacher, password, celery_worker_process, tmp_path
):
    image = tmp_path / "harbour.jpg"
    Image.new("RGB", (1200, 800), (20, 90, 160)).save(image, "JPEG")
    log_in(page, live_server, teacher.email, password)

    upload(page, live_server, image, "Harbour at dusk", "Boats in a harbour under a blue sky.")
    page.wait_for_url("**/clips/*/")
    assert page.get_by_text("Upload received").is_visible()
    screenshot("clip-processing")
    # The status section polls with htmx, then reloads once the worker is done.
    page.get_by_role("heading", name="Status: Ready").wait_for(timeout=60_000)
    page.locator("figure.clip-preview img").wait_for()
    axe("clip detail")
    screenshot("clip-detail")

    upload(page, live_server, DEMO / "generated" / "storm-pan.mp4", "Clouds over a field",
           "The view drifts across storm clouds above a field.")
    page.wait_for_url("**/clips/*/")
    page.get_by_role("heading", name="Status: Ready").wait_for(timeout=90_000)
    assert page.locator("figure.clip-preview video").count() == 1
    assert Clip.objects.filter(status=Status.READY).count() == 2

    page.goto(f"{live_server.url}/clips/")
    axe("clip library")
    screenshot("clip-library")
    assert page.get_by_text("Harbour at dusk").is_visible()
