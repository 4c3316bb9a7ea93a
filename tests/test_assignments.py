"""A learner's own search report, graded by an instructor on a rubric (the DL177 worked case, issue 19).

The course package declares the assignment, its rubric in every language and the template the
learner downloads; the learner uploads a report, an instructor grades each criterion, and the
learner sees the grade and the feedback.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urljoin

import pytest
from openpyxl import load_workbook

from academy.assignments import services
from academy.assignments.models import AssignmentSubmission, CourseAssignment
from academy.core.storage import get_storage
from academy.courses.package import PackageError, load_package
from academy.courses.services import enroll
from academy.extensions import db
from tests.assignment_world import DL177, PDF, assignment_spec, mini_with_assignment
from tests.conftest import csrf_token_from, login

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def course(import_course, tmp_path):
    return import_course(mini_with_assignment(root=tmp_path))


@pytest.fixture
def people(course, make_user):
    learner = make_user("learner", full_name="Amina Diallo")
    instructor = make_user("instructor", full_name="Chen Wei")
    enroll(learner, course, "fr")
    db.session.commit()
    return learner, instructor


def signed_in(app, user):
    """A browser of its own for each person, as when they work on different computers."""
    client = app.test_client()
    login(client, user)
    return client


def upload(client, course, filename="rapport.pdf", data=PDF, note="Cas de la pompe solaire"):
    page = client.get(f"/learn/{course.slug}/assignments/search-report/")
    return client.post(f"/learn/{course.slug}/assignments/search-report/",
                       data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), "note": note,
                             "report": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def grade_form(client, sub, levels: list[str], feedback="Bonne stratégie."):
    """Post a grade choosing, for each criterion in order, the level with the given title."""
    page = client.get(f"/teaching/assignments/{sub.id}")
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "version": str(sub.version), "feedback": feedback}
    for criterion, title in zip(sub.rubric.criteria, levels, strict=True):
        level = next(lv for lv in criterion.levels if lv.title == title)
        data[f"level-{criterion.id}"] = str(level.id)
        data[f"criterion-feedback-{criterion.id}"] = f"Note sur {criterion.title}"
    return client.post(f"/teaching/assignments/{sub.id}", data=data)


def test_dl177_declares_the_search_report_with_the_same_rubric_written_in_each_of_its_seven_languages(app_ctx):
    pkg = load_package(DL177)
    (spec,) = pkg.extra["assignments"]
    assert spec.key == "search-report" and spec.module == "analysis"
    assert sorted(spec.texts) == sorted(pkg.languages)
    titles = {lang: [c["title"] for c in t["rubric"]["criteria"]] for lang, t in spec.texts.items()}
    assert titles["en"] == ["Search strategy", "Coverage and search log", "Family cleaning", "Categories X, Y and A",
                            "Clarity and caveats"]
    for lang in ("fr", "es", "pt", "ru", "zh", "ar"):
        assert len(titles[lang]) == 5 and not set(titles[lang]) & set(titles["en"]), lang
        assert spec.texts[lang]["rubric"]["pass_threshold"] == 12


def test_a_package_whose_rubric_gives_other_points_in_one_language_is_refused_with_the_file_named(app_ctx, tmp_path):
    fr = assignment_spec("fr")
    fr["rubric"]["criteria"][0]["levels"][2]["points"] = 5
    root = mini_with_assignment({"en": assignment_spec("en"), "fr": fr}, root=tmp_path)
    with pytest.raises(PackageError) as exc:
        load_package(root)
    assert any(p.file == "fr/assignments/search-report.yaml" and "rubric differs" in p.message
               for p in exc.value.problems)


def test_a_learner_downloads_the_report_template_in_the_language_they_study_in(client, course, people):
    learner, _instructor = people
    login(client, learner)
    resp = client.get(f"/learn/{course.slug}/assignments/search-report/template")
    assert resp.status_code == 200
    assert resp.mimetype == XLSX_TYPE
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert "modele-rapport-recherche-fr.xlsx" in resp.headers["Content-Disposition"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Rapport", "Concepts", "Journal de recherche", "Regroupement par familles", "Résultats"]
    results = wb["Résultats"]
    assert results["F1"].value == "Catégorie"
    (rule,) = results.data_validations.dataValidation
    assert rule.formula1 == '"X,Y,A,P,E,O,T,D,L,&"'


def test_an_arabic_learner_gets_a_right_to_left_template(client, import_course, make_user):
    course = import_course(DL177)
    learner = make_user("learner")
    enroll(learner, course, "ar")
    db.session.commit()
    login(client, learner)
    resp = client.get("/learn/dl177/assignments/search-report/template")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames[0] == "التقرير"
    assert all(ws.sheet_view.rightToLeft for ws in wb.worksheets)


def test_the_analysis_lesson_links_to_the_template_and_the_assignment_page(client, import_course, make_user):
    course = import_course(DL177)
    learner = make_user("learner")
    enroll(learner, course, "en")
    db.session.commit()
    login(client, learner)
    lesson_url = "/learn/dl177/analysis/writing-a-search-report"
    html = load_package(DL177).lessons[("en", "analysis", "writing-a-search-report")].html
    links = re.findall(r'href="(\.\./assignments/[^"]*)"', html)
    assert links == ["../assignments/search-report/template", "../assignments/search-report/"]
    for link in links:  # the browser resolves them against the lesson's address
        assert client.get(urljoin(lesson_url, link)).status_code == 200, link


def test_a_learner_submits_a_report_an_instructor_grades_it_and_the_learner_sees_grade_and_feedback(
        app, client, course, people):
    learner, instructor = people
    login(client, learner)
    resp = upload(client, course)
    assert resp.status_code == 302
    sub = db.session.query(AssignmentSubmission).one()
    assert sub.is_awaiting_grade and sub.language == "fr" and sub.content_type == "application/pdf"
    assert sub.rubric.criteria[0].title == "Stratégie de recherche"  # graded on the rubric of the learner's language
    page = client.get(f"/learn/{course.slug}/assignments/search-report/").get_data(as_text=True)
    assert 'data-status="waiting"' in page

    client = signed_in(app, instructor)
    queue = client.get("/teaching/assignments/").get_data(as_text=True)
    assert "Amina Diallo" in queue
    resp = grade_form(client, sub, ["Bon", "Suffisant", "Bon", "Suffisant", "Suffisant"])
    assert resp.status_code == 302
    db.session.expire_all()
    grade = sub.latest_grade
    assert (grade.total_points, grade.max_points, grade.is_passing) == (14, 20, True)

    client = signed_in(app, learner)
    page = client.get(f"/learn/{course.slug}/assignments/search-report/").get_data(as_text=True)
    assert "14 of 20 points" in page or "14 sur 20" in page
    assert "Bonne stratégie." in page and "Note sur Stratégie de recherche" in page
    assert 'data-status="waiting"' not in page
    home = client.get(f"/learn/{course.slug}/").get_data(as_text=True)
    assert f'<a href="/learn/{course.slug}/assignments/search-report/"' in home


def test_a_report_below_the_minimum_on_the_categories_does_not_meet_the_rubric_whatever_its_total(
        app, client, course, people):
    learner, instructor = people
    login(client, learner)
    upload(client, course)
    sub = db.session.query(AssignmentSubmission).one()
    client = signed_in(app, instructor)
    grade_form(client, sub, ["Bon", "Bon", "Bon", "Pas encore", "Bon"])
    db.session.expire_all()
    assert (sub.latest_grade.total_points, sub.latest_grade.is_passing) == (16, False)


def test_an_html_page_renamed_pdf_is_refused_on_the_field_and_nothing_is_stored(client, course, people):
    learner, _instructor = people
    login(client, learner)
    resp = upload(client, course, filename="rapport.pdf", data=b"<html><script>alert(1)</script></html>")
    assert resp.status_code == 400
    assert "rapport.pdf" in resp.get_data(as_text=True)
    assert db.session.query(AssignmentSubmission).count() == 0


def test_a_report_comes_back_only_as_a_download_to_its_learner_and_graders(app, client, course, people, make_user):
    learner, instructor = people
    login(client, learner)
    upload(client, course, filename="mon rapport.pdf")
    sub = db.session.query(AssignmentSubmission).one()
    for reader in (learner, instructor):
        resp = signed_in(app, reader).get(f"/assignments/reports/{sub.id}")
        assert resp.status_code == 200 and resp.data == PDF
        assert resp.mimetype == "application/pdf"
        assert resp.headers["Content-Disposition"].startswith("attachment")
        assert "mon rapport.pdf" in resp.headers["Content-Disposition"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in resp.headers["Content-Security-Policy"]
        assert resp.headers["Cache-Control"] == "private, no-store"
    assert signed_in(app, make_user("learner")).get(f"/assignments/reports/{sub.id}").status_code == 404
    get_storage().delete(sub.storage_key)
    assert signed_in(app, learner).get(f"/assignments/reports/{sub.id}").status_code == 404


def test_an_instructor_who_leaves_a_criterion_ungraded_is_told_which_one_and_nothing_is_saved(
        app, client, course, people):
    learner, instructor = people
    login(client, learner)
    upload(client, course)
    sub = db.session.query(AssignmentSubmission).one()
    client = signed_in(app, instructor)
    page = client.get(f"/teaching/assignments/{sub.id}").get_data(as_text=True)
    first = sub.rubric.criteria[0]
    resp = client.post(f"/teaching/assignments/{sub.id}", data={
        "csrf_token": csrf_token_from(page), "version": str(sub.version),
        f"level-{first.id}": str(first.levels[0].id)})
    assert resp.status_code == 400
    assert "Couverture et journal de recherche" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert sub.grades == [] and sub.is_awaiting_grade


def test_a_grade_made_on_a_report_that_was_replaced_meanwhile_is_refused(client, course, people):
    learner, instructor = people
    login(client, learner)
    upload(client, course)
    sub = db.session.query(AssignmentSubmission).one()
    opened_version = sub.version
    first_key = sub.storage_key
    upload(client, course, filename="rapport-v2.pdf")  # the learner sends a new version
    db.session.expire_all()
    assert sub.filename == "rapport-v2.pdf"
    assert not get_storage().exists(first_key)  # the replaced file is not kept
    with pytest.raises(services.ConcurrentGradeError):
        services.grade_report(sub, instructor, expected_version=opened_version,
                              picks={c.id: c.levels[-1].id for c in sub.rubric.criteria},
                              criterion_feedback={}, feedback="")


def test_a_changed_rubric_is_a_new_version_and_a_report_already_submitted_keeps_its_own(
        import_course, course, people, tmp_path):
    learner, _instructor = people
    text = course_assignment(course).text_for("fr")
    sub, _replaced = services.submit_report(course_assignment(course), learner, "fr", stored_pdf(), "")
    db.session.commit()
    old_rubric_id = sub.rubric_id
    fr = assignment_spec("fr")
    fr["rubric"]["pass_threshold"] = 14
    en = assignment_spec("en")
    en["rubric"]["pass_threshold"] = 14
    import_course(mini_with_assignment({"en": en, "fr": fr}, root=tmp_path / "v2"))
    db.session.expire_all()
    text = course_assignment(course).text_for("fr")
    assert text.rubric_id != old_rubric_id
    assert text.rubric.previous_id == old_rubric_id and text.rubric.version == 2
    assert sub.rubric_id == old_rubric_id and sub.rubric.pass_threshold == 12


def test_an_instructor_cannot_grade_their_own_report(course, make_user):
    instructor = make_user("instructor")
    enroll(instructor, course, "en")
    sub, _replaced = services.submit_report(course_assignment(course), instructor, "en", stored_pdf(), "")
    with pytest.raises(services.AssignmentError):
        services.grade_report(sub, instructor, expected_version=sub.version,
                              picks={c.id: c.levels[-1].id for c in sub.rubric.criteria},
                              criterion_feedback={}, feedback="")


def course_assignment(course) -> CourseAssignment:
    return db.session.query(CourseAssignment).filter_by(course_id=course.id, key="search-report").one()


def stored_pdf():
    from werkzeug.datastructures import FileStorage

    from academy.certification.uploads import store_upload

    return store_upload(FileStorage(io.BytesIO(PDF), filename="report.pdf"), prefix="assignment")
