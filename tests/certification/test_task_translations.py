"""Practice tasks and rubrics in the learner's language, authored beside their source."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.assessments.rubric_models import RubricCriterionTranslation
from academy.certification import services, translations
from academy.certification.enums import AssessmentOutcome, AttendanceStatus
from academy.certification.models import PracticeTaskTranslation
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.certification.world import RUBRIC, build, complete_course
from tests.conftest import login


@pytest.fixture
def world(app_ctx, make_user, mini_course):
    instructor = make_user("instructor", full_name="Ines Instructor", preferred_language="en")
    learner = make_user("learner", full_name="Léa Apprenante", preferred_language="fr")
    admin = make_user("admin", full_name="Ada Admin")
    w = build(mini_course, instructor, [learner])
    w.instructor, w.learner, w.admin, w.record, w.task = instructor, learner, admin, w.records[0], w.tasks[0]
    w.course = mini_course
    complete_course(learner, mini_course)
    services.record_attendance(w.session, {w.record.id: {d: AttendanceStatus.PRESENT for d in w.session.days}},
                               instructor)
    services.assess(w.record, w.session, outcome=AssessmentOutcome.PASS, comments="", score_value=None,
                    by=instructor)
    db.session.commit()
    return w


FRENCH = {
    "title": "Rapport de recherche",
    "instructions": "Faites le travail.",
    "rubric_title": "Rapport de recherche (grille)",
}


def french_form(task) -> dict:
    data = dict(FRENCH)
    words = {"Search strategy": "Stratégie de recherche", "Report": "Rapport", "Insufficient": "Insuffisant",
             "Adequate": "Adéquat", "Good": "Bon", "Excellent": "Excellent·e", "Unclear": "Peu clair",
             "Clear": "Clair"}  # "Actionable" is left untranslated on purpose
    for c in task.rubric.criteria:
        data[f"criterion_{c.id}_title"] = words.get(c.title, "")
        for lv in c.levels:
            data[f"level_{lv.id}_title"] = words.get(lv.title, "")
            if lv.descriptor:
                data[f"level_{lv.id}_descriptor"] = "Descripteur : " + lv.title
    return data


def translate_in_french(client, task):
    return client.post(f"/certification/admin/tasks/{task.id}/translations/fr", data=french_form(task))


def test_admin_translates_a_task_beside_its_source_and_the_task_page_lists_it_up_to_date(world, client):
    login(client, world.admin)
    page = client.get(f"/certification/admin/tasks/{world.task.id}/translations/fr").get_data(as_text=True)
    # The source words stand beside the fields, in their own language.
    assert 'lang="en"' in page and "Do the work." in page and "No documented strategy." in page
    assert 'name="title"' in page and 'lang="fr"' in page
    listing = client.get(f"/certification/admin/tasks/{world.task.id}").get_data(as_text=True)
    assert 'data-language="fr" data-translation-state="missing"' in listing
    resp = translate_in_french(client, world.task)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    row = db.session.scalar(select(PracticeTaskTranslation))
    assert (row.language, row.title, row.source_hash) == ("fr", "Rapport de recherche",
                                                         translations.source_hash(world.task))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certification.task.translate"))
    listing = client.get(f"/certification/admin/tasks/{world.task.id}").get_data(as_text=True)
    assert 'data-language="fr" data-translation-state="current"' in listing
    assert 'data-language="ar" data-translation-state="missing"' in listing


def test_a_translation_without_its_title_is_refused_naming_the_field_and_nothing_is_saved(world, client):
    login(client, world.admin)
    data = french_form(world.task) | {"title": "  "}
    resp = client.post(f"/certification/admin/tasks/{world.task.id}/translations/fr", data=data)
    assert resp.status_code == 400
    assert 'id="title-error"' in resp.get_data(as_text=True)
    assert db.session.scalar(select(PracticeTaskTranslation.id)) is None
    assert db.session.scalar(select(RubricCriterionTranslation.id)) is None


def test_the_source_language_itself_cannot_be_translated(world, client):
    login(client, world.admin)
    assert client.get(f"/certification/admin/tasks/{world.task.id}/translations/en").status_code == 404
    assert client.get(f"/certification/admin/tasks/{world.task.id}/translations/xx").status_code == 404


def test_french_learner_reads_the_task_and_rubric_in_french_with_untranslated_words_marked(world, client):
    login(client, world.admin)
    translate_in_french(client, world.task)
    learner = client.application.test_client()
    login(learner, world.learner)
    page = learner.get(f"/certification/records/{world.record.id}/tasks/{world.task.id}").get_data(as_text=True)
    assert "Rapport de recherche" in page and "Faites le travail." in page
    assert "Stratégie de recherche" in page and "Adéquat" in page and "Descripteur : Adequate" in page
    assert "Do the work." not in page and "Search strategy" not in page
    # "Actionable" has no French yet: shown in English, in English, and said so.
    assert '<li lang="en"><strong>Actionable</strong>' in page
    assert "untranslated" in page and "Affiché en anglais" in page
    record = learner.get(f"/certification/records/{world.record.id}").get_data(as_text=True)
    assert "Rapport de recherche" in record


def test_an_untranslated_task_is_shown_in_the_programme_language_visibly_marked(world, client):
    login(client, world.learner)
    page = client.get(f"/certification/records/{world.record.id}/tasks/{world.task.id}").get_data(as_text=True)
    assert '<h1 lang="en">Task 1</h1>' in page
    assert "Affiché en anglais : pas encore traduit." in page


def test_instructor_grades_on_the_learners_language_and_can_open_the_source(world, client):
    login(client, world.admin)
    translate_in_french(client, world.task)
    sub = services.submission_for(world.record, world.task, create=True)
    sub.text = "Mon rapport"
    services.submit(sub)
    db.session.commit()
    teacher = client.application.test_client()
    login(teacher, world.instructor)
    page = teacher.get(f"/certification/submissions/{sub.id}/grade").get_data(as_text=True)
    form = page[page.index('class="stack grading"'):]
    assert '<legend lang="fr">Stratégie de recherche' in form and "Adéquat" in form
    source = page[page.index('class="source-words"'):page.index("</details>")]
    assert "Source text (English)" in source and "Search strategy" in source and "Do the work." in source
    # The page chrome stays in the instructor's language.
    assert "The learner&#39;s work" in page or "The learner's work" in page


def test_a_new_rubric_version_keeps_the_translations_of_unchanged_words_and_flags_the_task(world, client):
    login(client, world.admin)
    translate_in_french(client, world.task)
    sub = services.submission_for(world.record, world.task, create=True)
    sub.text = "Mon rapport"
    services.submit(sub)  # the rubric is now in use: an edit makes version 2
    db.session.commit()
    old_rubric = world.task.rubric
    changed = {**RUBRIC, "criteria": [RUBRIC["criteria"][0], {**RUBRIC["criteria"][1], "title": "Written report"}]}
    assert services.update_task(world.task, title="Task 1", instructions="Do the work.", due_days=30, position=1,
                                rubric=changed)
    db.session.commit()
    new = world.task.rubric
    assert new.version == 2
    fr = translations.rubric_words(new, "fr")
    assert fr.criterion_title(new.criteria[0]) == "Stratégie de recherche"  # carried over
    assert fr.level_title(new.criteria[0].levels[1]) == "Adéquat"
    assert fr.level_descriptor(new.criteria[0].levels[1]) == "Descripteur : Adequate"
    assert fr.title == "Rapport de recherche (grille)"  # the rubric's title did not change either
    assert fr.criterion_language(new.criteria[0]) == "fr" and fr.level_language(new.criteria[0].levels[1]) == "fr"
    assert fr.criterion_title(new.criteria[1]) == "Written report"  # changed source: not carried
    assert fr.level_title(new.criteria[1].levels[0]) == "Unclear" and fr.criterion_language(new.criteria[1]) == "en"
    # The work pinned to version 1 keeps its French words.
    assert translations.rubric_words(old_rubric, "fr").criterion_title(old_rubric.criteria[1]) == "Rapport"
    listing = client.get(f"/certification/admin/tasks/{world.task.id}").get_data(as_text=True)
    assert 'data-language="fr" data-translation-state="stale"' in listing
    programme_page = client.get(f"/certification/admin/programmes/{world.programme.id}").get_data(as_text=True)
    assert 'data-stale-translations="1"' in programme_page and "1 translation out of date" in programme_page
    assert translations.task_words(world.task, "fr").is_stale


def test_a_programme_written_in_french_falls_back_to_french_and_keeps_its_language_once_it_has_tasks(world, client):
    from academy.certification.models import CertificationProgramme

    login(client, world.admin)
    resp = client.post("/certification/admin/programmes/new", data={
        "code": "CATI-F", "title_en": "TISC French", "title_fr": "CATI en français",
        "course_ids": [str(world.course.id)], "min_attendance_percent": "80", "validity_months": "36",
        "resubmission_limit": "2", "source_language": "fr"})
    assert resp.status_code == 302
    programme = db.session.scalar(select(CertificationProgramme).where(CertificationProgramme.code == "CATI-F"))
    assert programme.source_language == "fr"
    task = services.add_task(programme, key="veille", title="Bulletin de veille", instructions="Rédigez-le.",
                             due_days=30, rubric=RUBRIC)
    db.session.commit()
    # An Arabic reader of an untranslated task sees the French source, marked as such.
    assert translations.task_words(task, "ar") == translations.TaskWords("Bulletin de veille", "Rédigez-le.",
                                                                          "fr", "ar")
    listing = client.get(f"/certification/admin/tasks/{task.id}").get_data(as_text=True)
    assert 'data-language="fr" data-translation-state="source"' in listing
    assert 'data-language="en" data-translation-state="missing"' in listing
    resp = client.post(f"/certification/admin/programmes/{programme.id}", data={
        "code": "CATI-F", "title_en": "TISC French", "course_ids": [str(world.course.id)],
        "min_attendance_percent": "80", "validity_months": "36", "resubmission_limit": "2", "source_language": "en"})
    assert resp.status_code == 400
    assert 'id="source_language-error"' in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CertificationProgramme, programme.id).source_language == "fr"
