"""Admin console and certification: a learner's certification records on the user page."""

from __future__ import annotations

from academy.extensions import db
from tests.certification import world


def test_user_page_lists_certification_records_with_their_phases(make_user, login_as, mini_course):
    learner = make_user(full_name="Pilot Learner", preferred_language="fr")
    w = world.build(mini_course, make_user("instructor"), [learner])
    world.complete_course(learner, mini_course)
    db.session.expire_all()
    client = login_as(make_user("admin"))
    page = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert "Certification records" in page and "Certification test" in page and "Test cohort" in page
    assert f"/certification/records/{w.records[0].id}" in page
    record = db.session.get(type(w.records[0]), w.records[0].id)
    # Phases not passed yet say so; a passed phase shows its date instead.
    passed = sum(d is not None for d in (record.phase1_passed_at, record.phase2_passed_at, record.phase3_passed_at))
    assert page.count("Not yet") == 3 - passed
