"""Pages with parts from the shared cache (catalogue cards, lesson bodies, which quizzes a
course has): each page still shows what is current and what is the visitor's own, never
another's."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from academy.certification.enums import NotificationKind
from academy.certification.models import Notification
from academy.courses.models import Course, CourseVersion, Enrollment
from academy.courses.services import enroll
from academy.extensions import db
from tests.conftest import csrf_token_from, login


def _get(client, url: str) -> str:
    """The page as a production request sees it: in a thread of its own, so with its own
    app context (``g``) and database session, not the test's (see test_query_budget)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: client.get(url).get_data(as_text=True)).result()


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">'):html.index("</header>")]


def test_the_header_menu_is_built_once_per_role_set_and_each_role_set_gets_its_own(app, make_user, monkeypatch):
    from academy.core import nav
    from academy.extensions import cache

    cache.clear()  # as a fresh worker: no menu cached by an earlier test
    built = []
    menu = nav.menu
    monkeypatch.setattr(nav, "menu", lambda: built.append(1) or menu())
    clients = {}
    for name, role in (("learner", "learner"), ("another learner", "learner"), ("admin", "admin")):
        clients[name] = app.test_client()
        login(clients[name], make_user(role=role))
    learner_page = _get(clients["learner"], "/dashboard")
    assert len(built) == 1
    assert _header(_get(clients["another learner"], "/dashboard")).count("<li>") == _header(learner_page).count("<li>")
    assert len(built) == 1, "the same roles reuse the cached menu"
    admin_page = _get(clients["admin"], "/dashboard")
    assert len(built) == 2, "other roles get a menu of their own"
    assert "Statistics" in _header(admin_page) and "Statistics" not in _header(learner_page)


def test_each_visitor_gets_their_own_menu_and_csrf_token_in_the_shared_header(app, make_user):
    learner, admin = make_user(), make_user(role="admin")
    first, second, anonymous = app.test_client(), app.test_client(), app.test_client()
    login(first, learner)
    login(second, admin)
    learner_page = _get(first, "/account")
    admin_page = _get(second, "/account")
    assert "/admin/" not in _header(learner_page) and "Log out" in _header(learner_page)
    assert "/certification/programmes" not in _header(learner_page)
    assert "Programmes" in _header(admin_page)
    assert csrf_token_from(learner_page) != csrf_token_from(admin_page)
    # The header's token is the session's own: logging out with it works.
    assert first.post("/logout", data={"csrf_token": csrf_token_from(learner_page)}).status_code == 302
    assert "Log in" in _header(_get(anonymous, "/"))
    assert "Log out" not in _header(_get(anonymous, "/"))


def test_language_form_returns_to_this_page_with_its_query_escaped(client, mini_course):
    html = _get(client, '/courses/?q=<b>"x"')
    assert 'name="next" value="/courses/?q=%3Cb%3E%22x%22"' in html or \
        'name="next" value="/courses/?q=&lt;b&gt;&#34;x&#34;"' in html
    assert 'name="next" value="/"' in _get(client, "/")


def test_unread_notifications_badge_is_the_learners_own(app, make_user):
    reader, other = make_user(), make_user()
    for _ in range(3):
        db.session.add(Notification(user_id=reader.id, kind=NotificationKind.CERTIFIED, message="Done", link=""))
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, reader)
    login(second, other)
    assert re.search(r'class="badge count"><span aria-hidden="true">3</span><span class="visually-hidden">3 unread<',
                     _header(_get(first, "/dashboard")))
    assert 'class="badge count"' not in _header(_get(second, "/dashboard"))


def test_unread_count_includes_notifications_this_request_has_not_flushed_yet(app_ctx, make_user):
    from academy.certification.notifications import unread_count

    reader = make_user()
    db.session.commit()
    assert unread_count(reader.id) == 0
    db.session.add(Notification(user_id=reader.id, kind=NotificationKind.CERTIFIED, message="Done", link=""))
    assert unread_count(reader.id) == 1  # counted as the ORM's autoflush would
    db.session.commit()
    assert unread_count(reader.id) == 1


def test_header_follows_the_language(client, mini_course):
    client.post("/language", data={"lang": "fr", "next": "/"})
    html = _get(client, "/")
    assert '<html lang="fr" dir="ltr">' in html and "Se connecter" in _header(html)
    client.post("/language", data={"lang": "ar", "next": "/"})
    html = _get(client, "/")
    assert '<html lang="ar" dir="rtl">' in html and 'value="ar" lang="ar" selected' in html


def test_catalogue_shows_continue_only_for_the_learners_own_enrolments(app, mini_course, make_user):
    enrolled, other = make_user(), make_user()
    first, second = app.test_client(), app.test_client()
    login(first, enrolled)
    login(second, other)
    assert "Continue" not in _get(first, "/")
    enroll(enrolled, mini_course, "en")
    db.session.commit()
    assert 'href="/learn/mini/">Continue' in _get(first, "/")
    assert "Continue" not in _get(second, "/")
    assert "Continue" not in _get(app.test_client(), "/")


def test_catalogue_follows_edits_to_courses_versions_and_modules(client, mini_course):
    assert "Mini course" in _get(client, "/")
    version = db.session.scalar(select(CourseVersion).where(CourseVersion.language == "en"))
    version.title, version.description = "Renamed course", "A new description."
    db.session.commit()
    html = _get(client, "/")
    assert "Renamed course" in html and "A new description." in html and "Mini course" not in html
    version.estimated_minutes = 7 * 60 + 30
    db.session.commit()
    assert "about 7 h 30 min of study" in _get(client, "/")
    mini_course.modules[1].is_retired = True
    db.session.commit()
    assert "1 module" in _get(client, "/")
    db.session.scalar(select(CourseVersion).where(CourseVersion.language == "fr")).is_published = False
    db.session.commit()
    assert "English and French" not in _get(client, "/")
    db.session.get(Course, mini_course.id).is_published = False
    db.session.commit()
    assert "Renamed course" not in _get(client, "/")


def test_catalogue_is_cached_per_language(client, mini_course):
    assert "Mini course" in _get(client, "/")
    client.post("/language", data={"lang": "fr", "next": "/"})
    html = _get(client, "/")
    assert "Mini cours" in html and "Mini course" not in html and "anglais et français" in html


def _lesson_ids(course):
    return [les for m in course.modules for les in m.lessons]


def test_two_learners_see_their_own_progress_on_the_lesson_and_course_pages(app, mini_course, make_user):
    from academy.courses.services import complete_lesson

    ahead, behind = make_user(), make_user()
    first_lesson = _lesson_ids(mini_course)[0]
    complete_lesson(enroll(ahead, mini_course, "en"), first_lesson)
    enroll(behind, mini_course, "fr")
    db.session.commit()
    one, two = app.test_client(), app.test_client()
    login(one, ahead)
    login(two, behind)
    for _ in range(2):  # the second visit is served from the warm caches
        mine = _get(one, "/learn/mini/one/first")
        theirs = _get(two, "/learn/mini/one/first")
        assert "You have completed this lesson." in mine and "Mark as complete" not in mine
        assert "Mark as complete" in theirs and "You have completed this lesson." not in theirs
        assert "first fr" in theirs and "first fr" not in mine
        home_mine, home_theirs = _get(one, "/learn/mini/"), _get(two, "/learn/mini/")
        assert "1 of 2 lessons complete" in home_mine and "Resume where you left off" in home_mine
        assert "0 of 2 lessons complete" in home_theirs and "1 of 2" not in home_theirs
        assert ">Mini cours<" in home_theirs and ">Mini course<" in home_mine


def test_lesson_and_course_pages_follow_renames(client, mini_course, make_user):
    from academy.courses.models import LessonText

    learner = make_user()
    enroll(learner, mini_course, "en")
    db.session.commit()
    login(client, learner)
    assert "Mini course" in _get(client, "/learn/mini/")
    assert "Module one" in _get(client, "/learn/mini/one/first")
    text = db.session.scalar(select(LessonText).where(LessonText.language == "en").order_by(LessonText.id))
    text.title, text.body_html = "Renamed lesson", "<p>A new body.</p>"
    db.session.scalar(select(CourseVersion).where(CourseVersion.language == "en")).title = "Renamed course"
    db.session.commit()
    page = _get(client, "/learn/mini/one/first")
    assert "Renamed lesson" in page and "A new body." in page
    home = _get(client, "/learn/mini/")
    assert "Renamed course" in home and "Renamed lesson" in home and "Mini course" not in home
    db.session.get(Course, mini_course.id).is_published = False
    db.session.commit()
    assert client.get("/learn/mini/one/first").status_code == 404
    assert client.get("/learn/mini/").status_code == 404


def test_dashboard_lists_the_learners_own_enrolments_in_their_language(app, mini_course, make_user, import_course):
    learner, other = make_user(), make_user()
    enroll(learner, mini_course, "fr")
    db.session.commit()
    one, two = app.test_client(), app.test_client()
    login(one, learner)
    login(two, other)
    mine = _get(one, "/dashboard")
    assert 'href="/learn/mini/" lang="fr" dir="ltr">Mini cours</a>' in mine and "Not started" in mine
    assert "Mini cours" not in _get(two, "/dashboard")


def test_cached_lesson_page_carries_each_learners_own_token_and_progress(app, mini_course, make_user):
    """The lesson page is cached whole: two learners at the same lesson and state share
    the page but not the CSRF token in its form, nor the progress figure."""
    from academy.courses.models import Enrollment

    one_user, two_user = make_user(), make_user()
    enroll(one_user, mini_course, "en")
    enroll(two_user, mini_course, "en")
    db.session.commit()
    db.session.scalar(select(Enrollment).where(Enrollment.user_id == two_user.id)).progress_percent = 37
    db.session.commit()
    one, two = app.test_client(), app.test_client()
    login(one, one_user)
    login(two, two_user)
    pages = {}
    for _ in range(2):  # the second round is served from the cached page
        pages = {"one": _get(one, "/learn/mini/one/first"), "two": _get(two, "/learn/mini/one/first")}
        for html in pages.values():
            assert "@@academy" not in html  # no stand-in left unfilled
            assert "Mark as complete" in html
            # The form's token is the header's: this session's own.
            tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
            assert len(tokens) == 1
        assert set(re.findall(r'name="csrf_token" value="([^"]+)"', pages["one"])) != \
            set(re.findall(r'name="csrf_token" value="([^"]+)"', pages["two"]))
        assert 'value="37"' in pages["two"] and "37%" in pages["two"]
        assert 'value="0"' in pages["one"] and "37%" not in pages["one"]
    # The token in the cached page works: completing the lesson with it succeeds.
    resp = two.post("/learn/mini/one/first/complete",
                    data={"csrf_token": csrf_token_from(pages["two"])})
    assert resp.status_code == 302
    after = _get(two, "/learn/mini/one/first")
    assert "You have completed this lesson." in after and "Mark as complete" not in after
    assert "Mark as complete" in _get(one, "/learn/mini/one/first")


def test_flashed_message_is_shown_on_a_cached_page(app, mini_course, make_user):
    """A message waiting in the session is shown once: such a request renders the page
    afresh (the cached page has no messages in it), and the next view is cached again."""
    learner = make_user()
    enroll(learner, mini_course, "en")
    db.session.commit()
    client = app.test_client()
    login(client, learner)
    _get(client, "/learn/mini/one/first")  # cached now
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "A note for <you>")]
    page = _get(client, "/learn/mini/one/first")
    assert "A note for &lt;you&gt;" in page
    assert "A note for" not in _get(client, "/learn/mini/one/first")


def test_cached_lesson_page_is_kept_per_interface_language_and_menu(app, mini_course, make_user):
    learner, instructor = make_user(), make_user(role="instructor")
    for user in (learner, instructor):
        enroll(user, mini_course, "en")
    db.session.commit()
    one, two = app.test_client(), app.test_client()
    login(one, learner)
    login(two, instructor)
    mine, theirs = _get(one, "/learn/mini/one/first"), _get(two, "/learn/mini/one/first")
    assert _header(mine) != _header(theirs)
    two.post("/language", data={"lang": "ar", "next": "/"})
    arabic = _get(two, "/learn/mini/one/first")
    assert '<html lang="ar" dir="rtl">' in arabic and '<html lang="en" dir="ltr">' in _get(one, "/learn/mini/one/first")


def _dashboard_rows(html: str) -> str:
    return html[html.index("<tbody>"):html.index("</tbody>")]


def test_learners_of_one_course_see_their_own_status_progress_and_dates_on_the_dashboard(app, mini_course, make_user):
    """The dashboard's row for a course is rendered once per version and language and
    shared: the status, the progress and the dates in it must still be each learner's."""
    from academy.courses.services import complete_lesson, mark_completed

    ahead, behind = make_user(), make_user()
    lessons = _lesson_ids(mini_course)
    ahead_enrollment = enroll(ahead, mini_course, "en")
    complete_lesson(ahead_enrollment, lessons[0])
    enroll(behind, mini_course, "en")
    db.session.commit()
    progress = f'value="{ahead_enrollment.progress_percent}"'
    assert ahead_enrollment.progress_percent > 0
    one, two = app.test_client(), app.test_client()
    login(one, ahead)
    login(two, behind)
    for _ in range(2):  # the second visit is served from the warm caches
        mine, theirs = _dashboard_rows(_get(one, "/dashboard")), _dashboard_rows(_get(two, "/dashboard"))
        assert ">Mini course</a>" in mine and ">Mini course</a>" in theirs
        assert "In progress" in mine and progress in mine and "Not started" not in mine
        assert "Enrolled" in theirs and 'value="0"' in theirs and "Not started" in theirs
        assert progress not in theirs and "In progress" not in theirs

    # A change of the learner's own state shows on the next view, and only on theirs.
    behind_enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == behind.id))
    for lesson in lessons:
        complete_lesson(behind_enrollment, lesson)
    mark_completed(behind_enrollment)
    db.session.commit()
    theirs, mine = _dashboard_rows(_get(two, "/dashboard")), _dashboard_rows(_get(one, "/dashboard"))
    assert "Completed (" in theirs and 'value="100"' in theirs and "Not started" not in theirs
    assert "Completed" not in mine and progress in mine and 'value="100"' not in mine


def test_dashboard_follows_renames_and_the_page_language(client, mini_course, make_user):
    learner = make_user()
    enroll(learner, mini_course, "en")
    db.session.commit()
    login(client, learner)
    assert ">Mini course</a>" in _get(client, "/dashboard")
    db.session.scalar(select(CourseVersion).where(CourseVersion.language == "en")).title = "Renamed course"
    db.session.commit()
    html = _get(client, "/dashboard")
    assert ">Renamed course</a>" in html and "Mini course" not in html
    learner = db.session.merge(learner)
    learner.preferred_language = "fr"
    db.session.commit()
    html = _get(client, "/dashboard")
    assert '<html lang="fr"' in html and "Mon apprentissage" in html and "Pas encore commencé" in html
    assert "Not started" not in html and "Last activity" not in html


# --- the course home and the catalogue, cached whole with the learner's parts filled in ---


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def _modules(html: str) -> str:
    return html[html.index('<ol class="modules">'):]


def _enrol(user, course, language: str = "en", done: int = 0) -> Enrollment:
    """``user`` enrolled, with the course's first ``done`` lessons complete."""
    from academy.courses.services import complete_lesson

    enrollment = enroll(user, course, language)
    for lesson in _lesson_ids(course)[:done]:
        complete_lesson(enrollment, lesson)
    db.session.commit()
    return enrollment


def test_learners_at_different_points_each_see_their_own_course_home(app, mini_course, make_user):
    """The course home is one cached page per course and language, and each module's
    entry one cached fragment per state: three learners of the same course, at three
    different points, each see their own progress, locks, link and form token."""
    users = {"new": make_user(), "visited": make_user(), "started": make_user(), "module done": make_user()}
    for name, done in (("new", 0), ("visited", 0), ("started", 1), ("module done", 2)):
        _enrol(users[name], mini_course, done=done)
    clients = {name: app.test_client() for name in users}
    for name, client in clients.items():
        login(client, users[name])
    _get(clients["visited"], "/learn/mini/one/first")  # opened, not completed
    for _ in range(2):  # the second round is served from the cached page and fragments
        pages = {name: _get(client, "/learn/mini/") for name, client in clients.items()}
        for html in pages.values():
            assert "@@academy" not in html
            assert len(_tokens(html)) == 1
        assert len({frozenset(_tokens(html)) for html in pages.values()}) == 4

        new, started, done = pages["new"], pages["started"], pages["module done"]
        assert 'value="0"' in new and "0 of 2 lessons complete" in new and "Start the course" in new
        # The same lesson to go on with, but this learner has been there: "Resume".
        assert _modules(pages["visited"]) == _modules(new) and "Start the course" not in pages["visited"]
        assert 'href="/learn/mini/one/first">\n      Resume where you left off' in pages["visited"]
        assert "Locked: this module opens when you complete “Module one”." in new
        assert "✓" not in _modules(new)
        assert 'value="25"' in started and "1 of 2 lessons complete" in started
        assert _modules(started).count("✓") == 1 and "Locked: this module opens" in started
        assert 'value="50"' in done and "Module complete" in done and "Locked" not in done
        assert "0 of 2 lessons complete" in done and _modules(done).count("✓") == 2
        for html in (started, done):  # completing a lesson is a visit: the learner resumes
            assert "Resume where you left off" in html and "Start the course" not in html
        assert 'href="/learn/mini/one/second"' in started.split("Resume where")[0]
        assert 'href="/learn/mini/two/third"' in done.split("Resume where")[0]
    # Each token is its session's own: switching the course language with it works.
    resp = clients["started"].post("/learn/mini/language",
                                   data={"csrf_token": _tokens(pages["started"]).pop(), "language": "fr"})
    assert resp.status_code == 302


def test_course_home_shows_new_progress_and_enrolment_at_once(app, mini_course, make_user):
    from academy.courses.services import complete_lesson

    learner, other, newcomer = make_user(), make_user(), make_user()
    enrollment = _enrol(learner, mini_course)
    _enrol(other, mini_course)
    one, two, three = app.test_client(), app.test_client(), app.test_client()
    for client, user in ((one, learner), (two, other), (three, newcomer)):
        login(client, user)
    assert "0 of 2 lessons complete" in _get(one, "/learn/mini/")
    complete_lesson(enrollment, _lesson_ids(mini_course)[0])
    db.session.commit()
    mine = _get(one, "/learn/mini/")
    assert "1 of 2 lessons complete" in mine and 'value="25"' in mine
    theirs = _get(two, "/learn/mini/")
    assert "0 of 2 lessons complete" in theirs and 'value="0"' in theirs and "✓" not in _modules(theirs)

    # Not enrolled: sent to the course page; enrolled: the course home, at once.
    assert three.get("/learn/mini/").status_code == 302
    _enrol(newcomer, mini_course, "fr")
    html = _get(three, "/learn/mini/")
    assert ">Mini cours<" in html and "Module un" in html and "Start the course" in html


def test_completed_on_and_final_score_are_each_learners_own(app, mini_course, make_user):
    from datetime import UTC, datetime

    from academy.core.enums import EnrollmentStatus

    finished = {}
    for day, score in ((3, 80), (17, 95), (21, None)):
        user = make_user()
        enrollment = _enrol(user, mini_course, done=4)
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.enrolled_at = datetime(2026, 2, 1, 8, tzinfo=UTC)
        enrollment.completed_at = datetime(2026, 3, day, 12, tzinfo=UTC)
        enrollment.final_score = score
        finished[day] = user
    db.session.commit()
    clients = {day: app.test_client() for day in finished}
    for day, client in clients.items():
        login(client, finished[day])
    for _ in range(2):
        pages = {day: _get(client, "/learn/mini/") for day, client in clients.items()}
        assert "Completed on March 3, 2026" in pages[3] and "Final score: 80%" in pages[3]
        assert "Completed on March 17, 2026" in pages[17] and "Final score: 95%" in pages[17]
        assert "Completed on March 21, 2026" in pages[21] and "Final score" not in pages[21]
        for html in pages.values():
            assert html.count("Completed on") == 1 and "@@academy" not in html
            assert 'value="100"' in html and "Resume where" not in html and "Start the course" not in html


def test_course_home_follows_the_interface_and_the_course_language(app, mini_course, make_user):
    learner, other = make_user(), make_user()
    _enrol(learner, mini_course, done=1)
    _enrol(other, mini_course, done=1)
    one, two = app.test_client(), app.test_client()
    login(one, learner)
    login(two, other)
    assert "1 of 2 lessons complete" in _get(one, "/learn/mini/")
    one.post("/language", data={"lang": "fr", "next": "/"})
    html = _get(one, "/learn/mini/")
    assert '<html lang="fr" dir="ltr">' in html and "1 leçons terminées sur 2" in html
    assert "Reprendre là où vous en étiez" in html and ">Mini course<" in html  # the course stays English
    one.post("/language", data={"lang": "ar", "next": "/"})
    html = _get(one, "/learn/mini/")
    assert '<html lang="ar" dir="rtl">' in html and "lessons complete" not in html
    assert '<h1 lang="en" dir="ltr">Mini course</h1>' in html  # English content, marked LTR
    # Switching the course's language says so once (a flash: the page rendered afresh),
    # then serves the French course from the cache; the other learner keeps English.
    one.post("/language", data={"lang": "en", "next": "/"})
    page = _get(one, "/learn/mini/")
    one.post("/learn/mini/language", data={"csrf_token": csrf_token_from(page), "language": "fr"})
    flashed = _get(one, "/learn/mini/")
    assert "The course is now shown in French. Your progress is kept." in flashed
    assert ">Mini cours<" in flashed and "Module un" in flashed and "first fr" in flashed
    again = _get(one, "/learn/mini/")
    assert "The course is now shown" not in again and ">Mini cours<" in again
    assert '<option value="fr" selected>' in again and "1 of 2 lessons complete" in again
    theirs = _get(two, "/learn/mini/")
    assert ">Mini course<" in theirs and "Module one" in theirs and '<option value="en" selected>' in theirs


def test_course_home_follows_retired_modules_release_order_and_a_new_slug(app, mini_course, make_user):
    learner = make_user()
    _enrol(learner, mini_course)
    client = app.test_client()
    login(client, learner)
    html = _get(client, "/learn/mini/")
    assert "Module two" in html and "Locked: this module opens" in html
    course = db.session.get(Course, mini_course.id)
    course.has_sequential_release = False  # a course column: not in the content token
    db.session.commit()
    html = _get(client, "/learn/mini/")
    assert "Locked" not in html and 'href="/learn/mini/two/third"' in html
    course.slug = "renamed"
    db.session.commit()
    html = _get(client, "/learn/renamed/")
    assert 'href="/learn/renamed/one/first"' in html and 'action="/learn/renamed/language"' in html
    assert "/learn/mini/" not in html.replace('name="next" value="/learn/renamed/"', "")
    course.modules[1].is_retired = True
    db.session.commit()
    html = _get(client, "/learn/renamed/")
    assert "Module two" not in html and "third" not in html and "Module one" in html


def test_a_cached_lesson_page_follows_a_new_slug(app, mini_course, make_user):
    learner = make_user()
    _enrol(learner, mini_course)
    client = app.test_client()
    login(client, learner)
    assert 'action="/learn/mini/one/first/complete"' in _get(client, "/learn/mini/one/first")
    course = db.session.get(Course, mini_course.id)
    course.slug = "renamed"  # not part of the content token
    db.session.commit()
    html = _get(client, "/learn/renamed/one/first")
    assert 'action="/learn/renamed/one/first/complete"' in html and "/learn/mini/" not in html


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)


def test_cached_pages_are_the_pages_rendered_without_caches(app, mini_course, make_user):
    """Byte for byte, but for the CSRF token: a page with parts from the shared cache is
    what rendering it afresh gives, for learners at different points, in another course
    language, in Arabic, and for an anonymous visitor's catalogue."""
    learners = [
        (make_user(), "en", 0),
        (make_user(), "en", 1),
        (make_user(), "fr", 2),
        (make_user(preferred_language="ar"), "en", 3),
        (make_user(preferred_language="fr"), "fr", 4),
    ]
    clients = []
    for user, language, done in learners:
        _enrol(user, mini_course, language, done)
        client = app.test_client()
        login(client, user)
        clients.append(client)
    clients.append(app.test_client())  # anonymous: the catalogue only
    for client in clients:
        for url in ("/learn/mini/", "/"):
            _get(client, url)  # warm the caches
    cached = [[_get(client, url) for url in ("/learn/mini/", "/")] for client in clients]
    from academy.extensions import cache

    cache.clear()
    fresh = [[_get(client, url) for url in ("/learn/mini/", "/")] for client in clients]
    for mine, afresh in zip(cached, fresh, strict=True):
        for page, page_afresh in zip(mine, afresh, strict=True):
            assert _without_tokens(page) == _without_tokens(page_afresh)


def test_catalogue_is_cached_whole_with_each_visitors_token_and_cards(app, mini_course, make_user):
    learner, other = make_user(), make_user()
    _enrol(learner, mini_course)
    one, two, anonymous = app.test_client(), app.test_client(), app.test_client()
    login(one, learner)
    login(two, other)
    for _ in range(2):
        mine, theirs, anyone = _get(one, "/"), _get(two, "/"), _get(anonymous, "/")
        assert 'href="/learn/mini/">Continue' in mine and "Continue" not in theirs + anyone
        assert "Log out" in _header(mine) and "Log in" in _header(anyone)
        assert len({frozenset(_tokens(html)) for html in (mine, theirs, anyone)}) == 3
        for html in (mine, theirs, anyone):
            assert "@@academy" not in html and ">Mini course</a>" in html
    db.session.get(Course, mini_course.id).is_published = False
    db.session.commit()
    for html in (_get(one, "/"), _get(anonymous, "/")):
        assert "No course is published yet." in html and "Mini course" not in html
    db.session.get(Course, mini_course.id).is_published = True
    db.session.commit()
    assert "No course is published yet." not in _get(anonymous, "/")
    with one.session_transaction() as sess:
        sess["_flashes"] = [("info", "A note for <you>")]
    assert "A note for &lt;you&gt;" in _get(one, "/")
    assert "A note for" not in _get(one, "/")
