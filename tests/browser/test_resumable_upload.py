"""Practice evidence on a link that drops: the upload goes on from the last chunk the
server holds, and the file reaches the submission once, whole."""

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.browser


def test_an_upload_whose_connection_drops_midway_resumes_and_sends_the_file_about_once(page, mini_course,
                                                                                          make_user, app_ctx):
    from datetime import timedelta

    from academy.certification.models import SubmissionFile
    from academy.core.models import utcnow
    from academy.core.storage import get_storage
    from academy.extensions import db
    from academy.offline.models import PartialUpload
    from tests.browser.conftest import browser_login
    from tests.certification.world import build
    from tests.conftest import TEST_PASSWORD

    learner = make_user("learner")
    w = build(mini_course, make_user("instructor"), [learner])
    record = w.records[0]
    record.phase1_passed_at = utcnow() - timedelta(days=10)
    record.phase2_passed_at = utcnow() - timedelta(days=5)
    db.session.commit()
    content = b"%PDF-1.4\n" + bytes(range(256)) * 8000 + b"\n%%EOF\n"  # about 2 MB: 8 chunks

    sent = {"bytes": 0, "puts": 0}

    def chunks(route):
        if route.request.method != "PUT":
            route.continue_()
            return
        sent["puts"] += 1
        if sent["puts"] == 4:  # the link drops in the middle of the file
            route.abort("connectionreset")
            return
        sent["bytes"] += len(route.request.post_data_buffer or b"")
        route.continue_()

    browser_login(page, learner.email, TEST_PASSWORD)
    page.route("**/certification/uploads/*", chunks)
    page.goto(f"/certification/records/{record.id}/tasks/{w.tasks[0].id}")
    page.fill("#text", "The search strategy, with the result list attached.")
    page.set_input_files("#files", files=[{"name": "results.pdf", "mimeType": "application/pdf", "buffer": content}])
    with page.expect_navigation(timeout=30_000):
        page.click("#save")
    assert "Your draft is saved" in page.locator(".flash-success").inner_text()
    db.session.expire_all()
    stored = db.session.scalar(select(SubmissionFile))
    assert stored.filename == "results.pdf" and get_storage().get(stored.storage_key) == content
    assert sent["puts"] == 9  # 8 chunks, one of them sent twice
    assert sent["bytes"] <= 1.1 * len(content)
    assert db.session.scalar(select(func.count(PartialUpload.id))) == 0
