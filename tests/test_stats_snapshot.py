"""The statistics dashboard reads a snapshot of its figures, shared by every worker: it is
recounted when stale or on an admin's request, filtered views have their own, and the
exports stay live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from academy.core.enums import EnrollmentStatus
from academy.core.models import frozen_clock, utcnow
from academy.courses.models import Enrollment
from academy.extensions import db
from academy.stats import snapshot
from tests.conftest import login
from tests.stats_population import at
from tests.test_stats_views import page_table, read_csv


@pytest.fixture
def snapshots(app, monkeypatch):
    """Snapshots on, as in production; each test starts as a fresh process would."""
    monkeypatch.setitem(app.config, "STATS_SNAPSHOT_SECONDS", 600)
    snapshot.clear_process_cache()
    yield
    snapshot.clear_process_cache()


def enrol_one_more(pop) -> None:
    db.session.add(Enrollment(user_id=pop.users["u7"].id, course_id=pop.adv.id, language="en",
                              enrolled_at=at(2025, 7, 1), status=EnrollmentStatus.IN_PROGRESS))
    db.session.commit()


def total_enrolments(html: str) -> str:
    return page_table(html, "language")[-1][1]


def test_dashboard_keeps_its_figures_until_the_snapshot_is_stale(pop, admin_client, snapshots):
    html = admin_client.get("/admin/stats/").get_data(as_text=True)
    assert total_enrolments(html) == "8"
    assert "Figures as of" in html
    enrol_one_more(pop)
    assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "8"
    with frozen_clock(utcnow() + timedelta(seconds=601)):
        assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "9"


def test_another_worker_reads_the_stored_snapshot_without_counting(pop, admin_client, snapshots):
    admin_client.get("/admin/stats/")
    snapshot.clear_process_cache()  # another process: only the file is shared
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        html = admin_client.get("/admin/stats/").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert total_enrolments(html) == "8"
    assert not [s for s in statements if "GROUP BY" in s], "the figures were counted again"


def test_a_stale_snapshot_being_recounted_elsewhere_is_shown_meanwhile(pop, admin_client, snapshots):
    admin_client.get("/admin/stats/")
    enrol_one_more(pop)
    later = utcnow() + timedelta(seconds=601)
    key = snapshot.key_for(snapshot.Filters())
    assert snapshot._try_claim(key, later - timedelta(seconds=10))  # another worker started recounting
    with frozen_clock(later):
        assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "8"
    # a lock older than CLAIM_SECONDS is from a request that died: recount
    with frozen_clock(later + timedelta(seconds=snapshot.CLAIM_SECONDS)):
        assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "9"
    assert not snapshot._lock_path(key).exists()  # released after the count


def test_only_one_of_the_workers_finding_a_snapshot_stale_recounts_it(app_ctx):
    key = snapshot.key_for(snapshot.Filters())
    now = utcnow()
    assert snapshot._try_claim(key, now)
    assert not snapshot._try_claim(key, now)  # the other workers, the same instant
    assert not snapshot._try_claim(key, now + timedelta(seconds=snapshot.CLAIM_SECONDS - 1))
    assert snapshot._try_claim(key, now + timedelta(seconds=snapshot.CLAIM_SECONDS))  # taken over
    snapshot._release(key)
    assert snapshot._try_claim(key, now)
    snapshot._release(key)


def test_refresh_now_recounts_for_everyone_and_keeps_the_filters(pop, admin_client, snapshots):
    admin_client.get("/admin/stats/")
    admin_client.get(f"/admin/stats/?course={pop.adv.id}")
    enrol_one_more(pop)
    resp = admin_client.post(f"/admin/stats/refresh?course={pop.adv.id}")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/admin/stats/?")
    assert f"course={pop.adv.id}" in resp.headers["Location"]
    html = admin_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "The figures are being counted again." in html  # queued; the testing queue runs it at once
    assert total_enrolments(html) == "4"  # ADV1: 3 before, and the new one
    snapshot.clear_process_cache()  # another worker sees the recount too
    assert total_enrolments(admin_client.get(f"/admin/stats/?course={pop.adv.id}").get_data(as_text=True)) == "4"
    # the unfiltered snapshot was not recounted
    assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "8"


def test_refresh_now_queues_the_recount_and_answers_at_once(pop, admin_client, snapshots, held_queue):
    admin_client.get("/admin/stats/")  # counted and stored
    key = snapshot.key_for(snapshot.Filters())
    counted_at = snapshot._read(key).computed_at
    enrol_one_more(pop)
    resp = admin_client.post("/admin/stats/refresh")
    html = admin_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "The figures are being counted again." in html
    assert total_enrolments(html) == "8"  # the snapshot as of its time, not recounted in the request
    assert snapshot._read(key).computed_at == counted_at
    admin_client.post("/admin/stats/refresh")  # pressed again while the recount waits
    assert len(held_queue.pending()) == 1
    held_queue.execute(held_queue.dequeue())  # a consumer runs it
    assert snapshot._read(key).computed_at > counted_at
    snapshot.clear_process_cache()
    assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "9"
    admin_client.post("/admin/stats/refresh")  # that recount is done: the next press queues another
    assert len(held_queue.pending()) == 1


def test_refresh_needs_a_csrf_token(pop, admin_client, snapshots, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert admin_client.post("/admin/stats/refresh").status_code == 400


def test_filtered_snapshots_hold_the_same_figures_as_live_counting(pop, admin_client, app, monkeypatch):
    urls = ["/admin/stats/", f"/admin/stats/?course={pop.adv.id}&date_from=2025-01-01",
            "/admin/stats/?gender=woman", "/admin/stats/?country=KE&basis=completion", "/admin/stats/?language=fr"]
    names = ["language", "course", "gender", "rate-gender-language", "over-time", "countries",
             "registrations-gender", "quizzes", "certificates"]
    live = {}
    for url in urls:
        html = admin_client.get(url).get_data(as_text=True)
        live[url] = {name: page_table(html, name) for name in names if f'id="table-{name}"' in html}
    monkeypatch.setitem(app.config, "STATS_SNAPSHOT_SECONDS", 600)
    for _round in range(2):  # counted and stored, then read back by a fresh process
        snapshot.clear_process_cache()
        for url in urls:
            html = admin_client.get(url).get_data(as_text=True)
            assert {name: page_table(html, name) for name in names if f'id="table-{name}"' in html} == live[url]
    snapshot.clear_process_cache()


def test_exports_stay_live_while_the_dashboard_shows_a_snapshot(pop, admin_client, snapshots):
    admin_client.get("/admin/stats/")
    enrol_one_more(pop)
    assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "8"
    assert read_csv(admin_client.get("/admin/stats/export.csv?figure=language"))[-1][1] == "9"


def test_figures_are_rendered_per_locale(pop, app, make_user, login_as, snapshots):
    english = make_user("admin", email="en-admin@example.org", preferred_language="en")
    french = make_user("admin", email="fr-admin@example.org", preferred_language="fr")
    assert "Enrolments by month" in login_as(english).get("/admin/stats/").get_data(as_text=True)
    other_browser = app.test_client()
    login(other_browser, french)
    html = other_browser.get("/admin/stats/").get_data(as_text=True)
    assert "<html lang=\"fr\"" in html, html[:300]
    assert "Enrolments by month" not in html
    assert total_enrolments(html) == "8"


def test_old_snapshot_files_are_purged(pop, admin_client, snapshots, app):
    import os
    from pathlib import Path

    admin_client.get("/admin/stats/")
    folder = Path(app.config["STORAGE_DIR"]) / snapshot.PREFIX
    (path,) = folder.glob("*.json")
    assert snapshot.purge_old() == 0
    old = (utcnow() - snapshot.KEEP - timedelta(hours=1)).timestamp()
    os.utime(path, (old, old))
    assert snapshot.purge_old() == 1
    assert not path.exists()


def test_a_snapshot_that_cannot_be_stored_still_shows_the_figures(pop, admin_client, snapshots, monkeypatch):
    from academy.core.storage import LocalStorage, StorageFullError

    def full(self, key, data):
        raise StorageFullError(28, "storage full")

    monkeypatch.setattr(LocalStorage, "put", full)
    assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "8"


def test_a_damaged_snapshot_file_is_counted_again(pop, admin_client, snapshots, app):
    from pathlib import Path

    admin_client.get("/admin/stats/")
    (path,) = (Path(app.config["STORAGE_DIR"]) / snapshot.PREFIX).glob("*.json")
    path.write_bytes(b"not json")
    snapshot.clear_process_cache()
    assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "8"
    assert path.read_bytes().startswith(b'{"format"')  # recounted and stored again


def test_a_first_count_under_way_elsewhere_is_waited_for(pop, admin_client, snapshots, monkeypatch):
    key = snapshot.key_for(snapshot.Filters())
    assert snapshot._try_claim(key, utcnow())  # another worker started the very first count
    counted_here = []
    real_refresh = snapshot.refresh

    def other_worker_finishes(seconds):
        if snapshot._read(key) is None:
            snapshot._write(snapshot.Snapshot(key, utcnow(), {}))  # it stored its (empty) figures
            snapshot._release(key)

    monkeypatch.setattr(snapshot._time, "sleep", other_worker_finishes)
    monkeypatch.setattr(snapshot, "refresh", lambda *a: counted_here.append(1) or real_refresh(*a))
    html = admin_client.get("/admin/stats/").get_data(as_text=True)
    assert not counted_here
    assert "Figures as of" in html


def test_a_first_count_that_never_finishes_is_done_here(pop, admin_client, snapshots, monkeypatch):
    key = snapshot.key_for(snapshot.Filters())
    assert snapshot._try_claim(key, utcnow())
    monkeypatch.setattr(snapshot, "WAIT_SECONDS", 0.3)
    assert total_enrolments(admin_client.get("/admin/stats/").get_data(as_text=True)) == "8"
    assert snapshot._read(key) is not None  # stored for everyone


# The dashboard's content is cached per process (stats/views.py) by query string, the
# courses and cohorts on offer, snapshot, locale and time zone: the tests below warm it first.


def _in_thread(client, url: str) -> str:
    """A request in a thread of its own: its own app context (``g`` holds the CSRF token), as in production."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: client.get(url).get_data(as_text=True)).result()


def test_each_admin_gets_their_own_csrf_token_in_the_cached_dashboard(pop, app, make_user, snapshots, monkeypatch):
    from tests.conftest import csrf_token_from

    first, second = app.test_client(), app.test_client()
    login(first, make_user("admin"))
    login(second, make_user("admin"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    pages = [_in_thread(client, "/admin/stats/") for client in (first, second, first)]
    tokens = [csrf_token_from(p[p.index('class="stats-as-of"'):]) for p in pages]
    assert tokens == [csrf_token_from(p) for p in pages]  # the refresh form's token is the session's own
    assert tokens[0] != tokens[1]
    assert first.post("/admin/stats/refresh", data={"csrf_token": tokens[2]}).status_code == 302


def test_a_cached_dashboard_offers_a_new_course_and_keeps_its_role_check(pop, admin_client, app, make_user,
                                                                        snapshots):
    from academy.courses.models import Course

    assert 'value="NEW1"' not in admin_client.get("/admin/stats/").get_data(as_text=True)
    assert ">NEW1<" not in admin_client.get("/admin/stats/").get_data(as_text=True)
    db.session.add(Course(code="NEW1", slug="new1", default_language="en"))
    db.session.commit()
    assert ">NEW1</option>" in admin_client.get("/admin/stats/").get_data(as_text=True)
    learner = app.test_client()
    login(learner, make_user())
    assert learner.get("/admin/stats/").status_code == 403


def test_invalid_filters_show_their_errors_after_a_valid_view_and_the_reverse(pop, admin_client, snapshots):
    backwards = "/admin/stats/?date_from=2025-06-01&date_to=2025-01-01"
    assert "Please correct" not in admin_client.get("/admin/stats/?date_from=2025-01-01").get_data(as_text=True)
    for _ in range(2):
        html = admin_client.get(backwards).get_data(as_text=True)
        assert "The end date is before the start date." in html and 'id="table-language"' not in html
    html = admin_client.get("/admin/stats/?date_from=2025-01-01").get_data(as_text=True)
    assert "Please correct" not in html and 'id="table-language"' in html


def test_filters_offer_every_course_and_cohort_in_order(pop, admin_client, snapshots):
    """Courses and cohorts are read in one statement: courses by code, cohorts by
    programme, start and name, each with its own id as the value."""
    import re

    from sqlalchemy import select

    from academy.certification.models import CertificationProgramme, Cohort
    from academy.courses.models import Course
    from tests.stats_population import add_certification

    add_certification(pop)
    db.session.commit()
    html = admin_client.get("/admin/stats/").get_data(as_text=True)
    select_of = {name: re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', html).group(1)
                 for name in ("course", "cohort")}
    courses = db.session.execute(select(Course.id, Course.code).order_by(Course.code)).all()
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name, CertificationProgramme.code).join(CertificationProgramme)
        .order_by(CertificationProgramme.code, Cohort.starts_on, Cohort.name)).all()
    assert len(cohorts) >= 2
    assert re.findall(r'<option value="(\d+)">([^<]*)</option>', select_of["course"]) == [
        (str(cid), code) for cid, code in courses]
    assert re.findall(r'<option value="(\d+)">([^<]*)</option>', select_of["cohort"]) == [
        (str(cid), f"{code} — {name}") for cid, name, code in cohorts]


def test_cached_figures_are_never_shared_between_permission_scopes(pop, app, make_user, login_as, snapshots):
    """An admin's rendered figures are reused for every admin, but a viewer with other
    roles (a narrower scope, such as a coordinator's) gets figures rendered for theirs."""
    from flask import template_rendered

    rendered = []

    def record(sender, template, context, **extra):
        if template.name == "stats/_dashboard_figures.html":
            rendered.append(template.name)

    admin = make_user("admin", email="scope-admin@example.org")
    other = make_user(["admin", "instructor"], email="scope-other@example.org")
    template_rendered.connect(record, app)
    try:
        login_as(admin).get("/admin/stats/")
        assert len(rendered) == 1
        second_admin = app.test_client()
        login(second_admin, make_user("admin", email="scope-admin2@example.org"))
        second_admin.get("/admin/stats/")
        assert len(rendered) == 1, "the same scope renders the figures once"
        wider = app.test_client()
        login(wider, other)
        wider.get("/admin/stats/")
        assert len(rendered) == 2, "another scope gets figures of its own"
    finally:
        template_rendered.disconnect(record, app)
