"""Every signal one feature sends for others to answer, declared in one place.

A feature connects its receivers in its set-up function (``init_app``, called from
``create_app``); nothing is connected at import. blinker keeps one connection per
receiver, so a second app in the same process adds nothing twice; receivers are module
functions because blinker holds them weakly.

Receivers are called in the order they were connected (the set-up order in create_app),
so pages that list what several features contribute show them in a stable order.

Signals that collect something (sections, requirements, statistics dimensions) use the
receivers' return values: read them with :func:`values_from_signal`. Each docstring
says what the *sender* is, which keyword arguments come with it and what a receiver
returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSet
from types import GeneratorType
from typing import Any

from blinker import NamedSignal, Namespace


class _OrderedSet(MutableSet):
    """A set that iterates in insertion order (blinker's ``set_class`` hook)."""

    def __init__(self, items: Iterable = ()) -> None:
        self._items = dict.fromkeys(items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item) -> None:
        self._items[item] = None

    def discard(self, item) -> None:
        self._items.pop(item, None)

    def copy(self) -> _OrderedSet:
        return _OrderedSet(self._items)


class AcademySignal(NamedSignal):
    """A named signal whose receivers run in the order they were connected."""

    set_class = _OrderedSet


class _Namespace(Namespace):
    def signal(self, name: str, doc: str | None = None) -> NamedSignal:
        if name not in self:
            self[name] = AcademySignal(name, doc)
        return self[name]


_signals = _Namespace()


def values_from_signal(response: list[tuple[Any, Any]], *, skip_none: bool = True) -> list:
    """The values the receivers returned (``signal.send()``'s (receiver, value) pairs), in
    receiver order; a receiver returning a generator contributes each value it yields."""
    values: list = []
    for _receiver, value in response:
        if isinstance(value, GeneratorType):
            values.extend(value)
        else:
            values.append(value)
    return [v for v in values if v is not None] if skip_none else values


def declared_signals() -> dict[str, NamedSignal]:
    """Every signal declared here, by name (the tests check each is documented and used)."""
    return dict(_signals)


# --- courses ----------------------------------------------------------------------------

course_completed = _signals.signal("course-completed", """
Sent once, when an enrolment becomes completed. The *sender* is the ``Enrollment``; it
also comes as the ``enrollment`` keyword. Certificates issue the course certificate;
certification checks phase 1.
""")

final_assessment_passed = _signals.signal("final-assessment-passed", """
Sent whenever a course's final assessment is passed, including again after completion
(a recertification counts that as the course's refresher). The *sender* is the
``Enrollment``, also passed as ``enrollment``.
""")

course_package_loaded = _signals.signal("course-package-loaded", """
Sent while a course package is validated, after its lessons are read. The *sender* is the
``CoursePackage``; ``problems`` is the collector to ``add(file, line, message)`` to. A
receiver may add what it reads to ``package.extra`` (assessments reads the quizzes).
""")

course_imported = _signals.signal("course-imported", """
Sent at the end of a course package import, inside its transaction, after the modules and
lessons are written. The *sender* is the ``Course``; ``pkg`` is the ``CoursePackage``
(assessments writes the quizzes).
""")

module_requirements = _signals.signal("module-requirements", """
Asked when module completion is computed. The *sender* is the ``Enrollment``;
``module_ids`` lists the modules asked about and ``course`` is the enrolment's course or
None. A receiver returns ``{module_id: bool}`` for the modules it has a requirement on
(assessments: the module's quiz is passed); a module is complete only if every answer is
true.
""")

course_requirements = _signals.signal("course-requirements", """
Asked before an enrolment is completed. The *sender* is the ``Enrollment``. A receiver
returns False while a requirement of its own is unmet (assessments: the final exam).
""")

before_course_completion = _signals.signal("before-course-completion", """
Sent just before an enrolment's completion is recorded. The *sender* is the
``Enrollment``; a receiver may set its ``final_score`` (assessments).
""")

course_outline = _signals.signal("course-outline", """
Sent while the course home is built. The *sender* is the ``Course``; ``enrollment``,
``language`` and ``outline`` (the list of ``ModuleView``) come with it. A receiver fills
``ModuleView.extras`` (assessments adds each module's quiz).
""")

course_home_sections = _signals.signal("course-home-sections", """
Asked while the course home is built, with the same *sender* and keywords as
``course-outline``. A receiver returns HTML to show after the modules, or None
(assessments: the final exam).
""")

# --- learning records (xAPI listens) --------------------------------------------------

user_registered = _signals.signal("user-registered", """
Sent when an account is created (registration, invitation, the API). The *sender* is the
``User``, flushed.
""")

enrolled = _signals.signal("enrolled", """
Sent when a learner is first enrolled in a course. The *sender* is the ``Enrollment``, flushed.
""")

lesson_completed = _signals.signal("lesson-completed", """
Sent once per lesson, when a learner first completes it. The *sender* is the ``Enrollment``;
``lesson`` is the ``Lesson``.
""")

quiz_graded = _signals.signal("quiz-graded", """
Sent when a submitted (or expired) quiz attempt has been graded. The *sender* is the
``QuizAttempt``, with its score and is_passed set.
""")

certification_phase_passed = _signals.signal("certification-phase-passed", """
Sent when a certification record passes a phase. The *sender* is the
``CertificationRecord``; ``phase`` is 1, 2 or 3.
""")

certified = _signals.signal("certified", """
Sent when a certification is awarded. The *sender* is the ``CertificationRecord``.
""")

certificate_issued = _signals.signal("certificate-issued", """
Sent when a certificate is issued (re-issues included). The *sender* is the ``Certificate``.
""")

certificate_revoked = _signals.signal("certificate-revoked", """
Sent when a certificate is revoked. The *sender* is the ``Certificate``.
""")

survey_answered = _signals.signal("survey-answered", """
Sent once per follow-up survey invitation, when the learner first submits their answers,
after the answers are flushed. The *sender* is the ``SurveyInvitation`` (its
``submitted_at`` and ``language`` set). Changing the answers later sends nothing: what
listeners record is that and when the learner responded, not what they answered.
""")

# --- admin console ----------------------------------------------------------------------

admin_user_sections = _signals.signal("admin-user-sections", """
Asked for the admin console's page of a person. The *sender* is the ``User``. A receiver
returns ``(title, template name, context)`` for a section of the page (quiz attempts,
certification records, certificates); the template sees it as ``section``.
""")

name_correction_follow_ups = _signals.signal("name-correction-follow-ups", """
Asked after an admin corrects a person's name and on the name page. The *sender* is the
``User``. A receiver returns a list of Markup items, each offering to redo something
printed with an older name (certificates: re-issue).
""")

printed_name_holders = _signals.signal("printed-name-holders", """
Asked whether a person's name is already printed on something issued. The *sender* is the
``User``. A receiver returns a true value if it issued such a document to them
(certificates: any certificate); the learner then changes the name only by a request that
an admin approves.
""")

printed_name_changed = _signals.signal("printed-name-changed", """
Sent when an admin approves a change of a person's printed name, after the ``User``'s
names changed and before the request commits. The *sender* is the ``User``; ``reason``
says why and ``actor`` is the admin. A receiver redoes, on the queue, what still carries
the old name and returns the queued ``Job`` or None (certificates: re-issue every valid
certificate, superseding it).
""")

upload_preview = _signals.signal("upload-preview", """
Sent while the admin console previews a course package upload (read-only). The *sender*
is the ``CoursePackage``; ``course`` is the existing course or None and ``changes`` the
``PackageChanges``, whose ``extra_sections`` a receiver may add to (quiz questions).
""")

# --- certificates -----------------------------------------------------------------------

learner_groups = _signals.signal("learner-groups", """
Asked by the certificate admin's search and ZIP download for groups of learners other
features own. The *sender* is None. A receiver returns ``(prefix, LearnerGroups)``
(certification: cohorts, as ``group=cohort:<id>``).
""")

# --- statistics -------------------------------------------------------------------------

stats_dimensions = _signals.signal("stats-dimensions", """
Asked for the statistics dimensions beyond the built-in ones. The *sender* is None. A
receiver returns (or yields) ``Dimension`` objects carrying their own labeler and
natural order (quiz kind, certificate kind, cohort, certification phase).
""")

stats_facts = _signals.signal("stats-facts", """
Asked for the statistics facts beyond enrolments and registrations. The *sender* is None.
A receiver returns (or yields) ``Fact`` objects (quiz attempts, certificates,
certification records).
""")

stats_enrolment_keys = _signals.signal("stats-enrolment-keys", """
Asked for extra keys the enrolment fact can be grouped by. The *sender* is None. A
receiver returns ``{base: fn}`` where ``fn(filters)`` gives ``(SQL expression, needs the
user join, join function or None)`` (certification: cohort).
""")

stats_user_subsets = _signals.signal("stats-user-subsets", """
Asked when statistics are filtered to learners another feature groups. The *sender* is
the ``Filters``. A receiver returns a SELECT of user ids the rows must belong to, or None
when the filters do not restrict (certification: cohort members).
""")

# --- site -------------------------------------------------------------------------------

mail_attachments = _signals.signal("mail-attachments", """
Asked when a queued message is sent (by the queue, outside any request). The *sender* is
the ``OutgoingMail``. A receiver returns (or yields) ``MailAttachment`` objects for a
message it wrote (recognised by its ``key``), or None; the files are read from storage
then, so the outbox never holds a copy (scheduled reports: the PDF and the XLSX).
""")

menu_items = _signals.signal("menu-items", """
Asked for the header's navigation. The *sender* is None. A receiver returns (or yields)
``NavItem`` objects; each is shown to the roles it names, ordered by ``order``.
""")
