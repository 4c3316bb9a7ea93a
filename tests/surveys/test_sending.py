"""Follow-up surveys on a frozen clock: sent once at the send point, reminded once, closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from academy.certification.enums import NotificationKind
from academy.certification.models import Notification
from academy.core import mail
from academy.core.models import frozen_clock
from academy.extensions import db
from academy.surveys import services
from academy.surveys.models import SurveyInvitation
from academy.surveys.tasks import send_surveys
from tests.surveys.world import at, build


def notes(kind):
    return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == kind))


def survey_mails():
    return [m for m in mail.outbox if "questions about your training" in m["Subject"]]


def reminder_mails():
    return [m for m in mail.outbox if m["Subject"].startswith("Reminder:")]


@pytest.fixture
def awarded(app_ctx, make_user):
    learners = [make_user(full_name="Awarded in March"), make_user(full_name="Awarded in May"),
                make_user(full_name="Never awarded")]
    return build(learners, awarded=[at(2024, 3, 15), at(2024, 5, 20)])


def test_nobody_is_asked_before_six_months_have_passed(awarded):
    with frozen_clock(at(2024, 9, 14)):
        assert send_surveys() == {"sent": 0, "reminded": 0}
    assert notes(NotificationKind.SURVEY) == 0


def test_the_survey_goes_once_at_six_months_by_mail_and_in_the_app(awarded):
    with frozen_clock(at(2024, 9, 16)):
        assert send_surveys()["sent"] == 1
        assert send_surveys()["sent"] == 0  # the hourly run again: nothing twice
    invitation = db.session.scalar(select(SurveyInvitation))
    assert invitation.user.full_name == "Awarded in March"
    assert invitation.closes_at == at(2024, 9, 16) + timedelta(days=30)
    assert notes(NotificationKind.SURVEY) == 1
    [sent] = survey_mails()
    assert sent["To"] == invitation.user.email
    assert "http://localhost/surveys/" in sent.get_content()
    note = db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.SURVEY))
    assert note.link.startswith("/surveys/")
    with frozen_clock(at(2024, 11, 21)):  # the May award's turn
        assert send_surveys()["sent"] == 1
    assert len(survey_mails()) == 2


def test_a_send_point_added_late_does_not_write_to_people_whose_survey_would_have_closed(awarded):
    with frozen_clock(at(2025, 6, 1)):
        assert send_surveys()["sent"] == 0


def test_one_reminder_after_fourteen_days_to_those_who_have_not_answered(awarded):
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    with frozen_clock(at(2024, 9, 29)):
        assert send_surveys()["reminded"] == 0
    with frozen_clock(at(2024, 9, 30, 11)):
        assert send_surveys()["reminded"] == 1
    with frozen_clock(at(2024, 10, 5)):
        assert send_surveys()["reminded"] == 0
    assert len(reminder_mails()) == 1
    assert notes(NotificationKind.SURVEY_REMINDER) == 1


def test_no_reminder_for_someone_who_answered(awarded):
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    invitation = db.session.scalar(select(SurveyInvitation))
    with frozen_clock(at(2024, 9, 20)):
        services.save_answers(invitation, [], "en")
        db.session.commit()
    with frozen_clock(at(2024, 10, 1)):
        assert send_surveys()["reminded"] == 0
    assert reminder_mails() == []


def test_a_closed_survey_takes_no_answers_and_sends_no_reminder(awarded):
    awarded.survey.reminder_after_days = 29
    db.session.commit()
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    invitation = db.session.scalar(select(SurveyInvitation))
    with frozen_clock(at(2024, 10, 17)):
        assert invitation.is_closed
        assert send_surveys() == {"sent": 0, "reminded": 0}
        with pytest.raises(services.SurveyError):
            services.save_answers(invitation, [], "en")


def test_the_survey_is_written_in_the_learners_language(app_ctx, make_user):
    learner = make_user(preferred_language="fr")
    build([learner], awarded=[at(2024, 3, 15)])
    with frozen_clock(at(2024, 9, 16)):
        send_surveys()
    note = db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.SURVEY))
    assert "Six months on [fr]" in note.message


def test_a_course_send_point_counts_from_the_completion(app_ctx, make_user, mini_course):
    from academy.core.enums import EnrollmentStatus
    from academy.courses.models import Enrollment

    learner = make_user()
    w = build([])
    services.add_send_point(w.survey, months_after=12, course_id=mini_course.id)
    db.session.add(Enrollment(user_id=learner.id, course_id=mini_course.id, language="en",
                              enrolled_at=at(2024, 1, 2), status=EnrollmentStatus.COMPLETED,
                              completed_at=at(2024, 2, 1), progress_percent=100))
    db.session.commit()
    with frozen_clock(at(2025, 1, 31)):
        assert send_surveys()["sent"] == 0
    with frozen_clock(at(2025, 2, 2)):
        assert send_surveys()["sent"] == 1


def test_add_months_keeps_the_end_of_the_month():
    assert services.add_months(at(2024, 8, 31), 6) == at(2025, 2, 28)
    assert services.add_months(at(2024, 8, 31), -6) == at(2024, 2, 29)
