"""Admins author programmes, practice tasks and rubrics; past grades never move."""

import html

import pytest
from sqlalchemy import select

from academy.assessments.rubric_models import Rubric
from academy.assessments.rubrics import parse_rubric_text, rubric_to_text
from academy.certification import services
from academy.certification.enums import GradeDecision
from academy.certification.models import CertificationProgramme, PracticeTask, SubmissionGrade
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.certification.world import build, levels
from tests.conftest import login

RUBRIC_TEXT = """Search strategy | Adequate
- Insufficient | 0 | No documented strategy.
- Adequate | 2 | Keywords and one classification.
- Good | 3

Report for the client
- Unclear | 0
- Clear | 2 | A conclusion the client can act on.
"""


@pytest.fixture
def world(app_ctx, make_user, mini_course):
    admin = make_user("admin", full_name="Ada Admin")
    instructor = make_user("instructor", full_name="Ines Instructor")
    learner = make_user("learner", full_name="Lea Learner")
    w = build(mini_course, instructor, [learner])
    w.admin, w.instructor, w.learner, w.course, w.record = admin, instructor, learner, mini_course, w.records[0]
    return w


def task_data(**over):
    data = {"title": "Technology watch bulletin", "instructions": "Write a monthly bulletin.", "due_days": "40",
            "position": "1", "rubric_title": "Bulletin", "rubric_text": RUBRIC_TEXT, "pass_threshold": "4"}
    data.update(over)
    return data


def actions():
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_admin_creates_a_programme_with_other_required_courses(world, client):
    from academy.courses.models import Course

    other = Course(code="DL101", slug="dl101")
    db.session.add(other)
    db.session.commit()
    login(client, world.admin)
    page = client.get("/certification/admin/programmes/new").get_data(as_text=True)
    assert 'name="code"' in page and 'name="title_fr"' in page
    resp = client.post("/certification/admin/programmes/new", data={
        "code": "tisc-a", "title_en": "TISC Staff Certification — Advanced", "title_fr": "Certification avancée",
        "course_ids": [str(world.course.id), str(other.id)], "min_attendance_percent": "75",
        "validity_months": "24", "resubmission_limit": "1"})
    assert resp.status_code == 302
    programme = db.session.scalar(select(CertificationProgramme).where(CertificationProgramme.code == "TISC-A"))
    assert programme.titles == {"en": "TISC Staff Certification — Advanced", "fr": "Certification avancée"}
    assert [pc.course.code for pc in programme.required_courses] == [world.course.code, "DL101"]
    assert (programme.min_attendance_percent, programme.validity_months, programme.resubmission_limit) == (75, 24, 1)
    assert "certification.programme.create" in actions()


def test_programme_form_keeps_input_and_names_each_bad_field(world, client):
    login(client, world.admin)
    resp = client.post("/certification/admin/programmes/new", data={
        "code": "TEST-F", "title_en": "", "title_fr": "Gardé", "min_attendance_percent": "120",
        "validity_months": "0", "resubmission_limit": "1"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="title_en-error"' in page and 'id="min_attendance_percent-error"' in page
    assert 'id="validity_months-error"' in page and 'value="Gardé"' in page
    # A code already used by another programme is refused on the code field.
    resp = client.post("/certification/admin/programmes/new", data={
        "code": "TEST-F", "title_en": "Duplicate", "min_attendance_percent": "80", "validity_months": "36",
        "resubmission_limit": "2"})
    assert resp.status_code == 400 and 'id="code-error"' in resp.get_data(as_text=True)


def test_admin_edits_programme_code_title_and_settings(world, client):
    login(client, world.admin)
    resp = client.post(f"/certification/admin/programmes/{world.programme.id}", data={
        "code": "TEST-G", "title_en": "Renamed", "course_ids": [str(world.course.id)],
        "min_attendance_percent": "90", "validity_months": "36", "resubmission_limit": "3"})
    assert resp.status_code == 302
    db.session.refresh(world.programme)
    assert world.programme.code == "TEST-G" and world.programme.titles == {"en": "Renamed"}
    assert world.programme.resubmission_limit == 3


def test_admin_adds_a_task_with_its_rubric_in_order(world, client):
    login(client, world.admin)
    resp = client.post(f"/certification/admin/programmes/{world.programme.id}/tasks/new", data=task_data())
    assert resp.status_code == 302
    tasks = db.session.scalars(select(PracticeTask).where(PracticeTask.programme_id == world.programme.id)
                               .order_by(PracticeTask.position)).all()
    assert [t.title for t in tasks] == ["Technology watch bulletin", "Task 1"]
    new = tasks[0]
    assert new.key == "technology-watch-bulletin" and new.due_days == 40
    assert [c.title for c in new.rubric.criteria] == ["Search strategy", "Report for the client"]
    assert [lv.points for lv in new.rubric.criteria[0].levels] == [0, 2, 3]
    assert new.rubric.criteria[0].min_level.title == "Adequate"
    assert new.rubric.pass_threshold == 4 and new.rubric.max_points == 5
    assert "certification.task.create" in actions()
    assert parse_rubric_text(rubric_to_text(new.rubric)).criteria == parse_rubric_text(RUBRIC_TEXT).criteria


@pytest.mark.parametrize("text, expected", [
    ("", "This field is required."),
    ("- Orphan | 1", "Line 1: A level must come after the criterion it belongs to."),
    ("Strategy\n- Low | 2\n- High | 2", "Line 3: The points must rise from one level to the next: 2 is not above 2."),
    ("Strategy\n- Low | 3\n- High | 1", "Line 3: The points must rise"),
    ("Strategy\n- Low | none\n- High | 1", "Line 2: The points must be a whole number of 0 or more."),
    ("Strategy\n- Only | 1", "Line 1: “Strategy” needs at least two levels"),
    ("Strategy | Superb\n- Low | 0\n- High | 1", "Line 1: The minimum level “Superb” is not one of the levels"),
    ("Strategy\n- Low | 0\n- High | 1\nStrategy\n- Low | 0\n- High | 1",
     "Line 4: The criterion “Strategy” appears twice."),
])
def test_bad_rubrics_are_refused_with_line_numbers_and_nothing_lost(world, client, text, expected):
    login(client, world.admin)
    before = db.session.scalar(select(db.func.count()).select_from(Rubric))
    resp = client.post(f"/certification/admin/programmes/{world.programme.id}/tasks/new",
                       data=task_data(rubric_text=text, pass_threshold="0"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert expected in html.unescape(page)
    assert 'value="Technology watch bulletin"' in page  # what the admin typed is still there
    assert db.session.scalar(select(db.func.count()).select_from(Rubric)) == before


def test_threshold_above_the_maximum_is_refused_on_its_field(world, client):
    login(client, world.admin)
    resp = client.post(f"/certification/admin/programmes/{world.programme.id}/tasks/new",
                       data=task_data(pass_threshold="6"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="pass_threshold-error"' in page
    assert "The pass threshold (6) is above the highest possible total (5)." in page


def test_unused_rubric_is_replaced_in_place(world, client):
    task = world.tasks[0]
    old_id = task.rubric_id
    login(client, world.admin)
    resp = client.post(f"/certification/admin/tasks/{task.id}", data=task_data(title="Task 1"))
    assert resp.status_code == 302
    db.session.expire_all()
    assert task.rubric.version == 1 and task.rubric.previous_id is None
    assert db.session.get(Rubric, old_id) is None


def test_editing_a_graded_rubric_makes_a_new_version_and_keeps_past_grades(world, client):
    from tests.certification.test_services import pass_phase2, submit_work
    from tests.certification.world import complete_course

    w = world
    task = w.tasks[0]
    complete_course(w.learner, w.course)
    pass_phase2(w)
    sub = submit_work(w)
    services.grade(sub, w.instructor, expected_version=sub.version, picks=levels(task, "Adequate", "Clear"),
                   criterion_feedback={}, feedback="Resubmit with strings.", decision=GradeDecision.REVISE)
    db.session.commit()
    graded = db.session.scalar(select(SubmissionGrade).where(SubmissionGrade.submission_id == sub.id))
    old_rubric_id, old_total = task.rubric_id, graded.total_points

    login(client, w.admin)
    page = client.get(f"/certification/admin/tasks/{task.id}").get_data(as_text=True)
    assert "1 submission was submitted against this rubric" in page
    resp = client.post(f"/certification/admin/tasks/{task.id}", data=task_data(title="Task 1"),
                       follow_redirects=True)
    assert "saved as version 2" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert task.rubric.version == 2 and task.rubric.previous_id == old_rubric_id
    old = db.session.get(Rubric, old_rubric_id)
    assert [c.title for c in old.criteria] == ["Search strategy", "Report"]  # untouched
    assert graded.total_points == old_total and {c.criterion.rubric_id for c in graded.criteria} == {old_rubric_id}
    # The returned work is still graded on the version it was submitted against.
    assert sub.rubric.id == old_rubric_id
    services.save_draft(sub, "Revised", [], w.learner)
    services.submit(sub)
    db.session.commit()
    assert sub.rubric.id == old_rubric_id
    services.grade(sub, w.instructor, expected_version=sub.version,
                   picks={c.id: c.levels[-1].id for c in old.criteria}, criterion_feedback={}, feedback="",
                   decision=GradeDecision.PASS)
    db.session.commit()
    assert sub.status.value == "passed"
    page = client.get(f"/certification/admin/tasks/{task.id}").get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page
    assert "certification.task.update" in actions()


def test_an_unchanged_rubric_is_not_versioned(world, client):
    task = world.tasks[0]
    sub = services.submission_for(world.record, task, create=True)
    sub.rubric_id = task.rubric_id
    db.session.commit()
    login(client, world.admin)
    data = task_data(title="Task 1 renamed", rubric_title=task.rubric.title, rubric_text=rubric_to_text(task.rubric),
                     pass_threshold=str(task.rubric.pass_threshold))
    rubric_id = task.rubric_id
    assert client.post(f"/certification/admin/tasks/{task.id}", data=data).status_code == 302
    db.session.expire_all()
    assert task.rubric_id == rubric_id and task.title == "Task 1 renamed"


@pytest.mark.parametrize("lang", ["en", "fr", "es", "pt", "ru", "zh", "ar"])
def test_the_rubric_example_beside_the_form_is_in_the_admins_language_and_parses_as_shown(app_ctx, lang):
    from flask_babel import force_locale

    from academy.assessments.rubrics import example_rubric_text

    with force_locale(lang):
        example = example_rubric_text()
    parsed = parse_rubric_text(example)
    assert parsed.errors == [] and len(parsed.criteria) == 2 and parsed.max_points == 6
    # The minimum level names one of the criterion's own levels, in the same words.
    assert parsed.criteria[0]["min_level"] == parsed.criteria[0]["levels"][1]["title"]
    if lang != "en":
        assert "Search strategy" not in example and "Insufficient" not in example
