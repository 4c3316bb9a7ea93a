"""Enumerations stored as strings with a CHECK and shown with a translated title."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class TitledEnum(str, enum.Enum):
    """A string enum whose members carry a translatable title for display."""

    @property
    def title(self) -> str:
        return str(self._titles()[self])

    @classmethod
    def _titles(cls) -> dict:
        raise TypeError(f"{cls.__name__} must define its translated titles")

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m._titles()[m]) for m in cls]


class Gender(TitledEnum):
    WOMAN = "woman"
    MAN = "man"
    ANOTHER = "another"
    UNDISCLOSED = "undisclosed"

    @classmethod
    def _titles(cls) -> dict:
        return {
            cls.WOMAN: _l("Woman"),
            cls.MAN: _l("Man"),
            cls.ANOTHER: _l("Another gender identity"),
            cls.UNDISCLOSED: _l("Prefer not to say"),
        }


class Role(TitledEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"
    #: sees the statistics, learners at risk and certificates of the TISCs or countries assigned
    COORDINATOR = "coordinator"

    @classmethod
    def _titles(cls) -> dict:
        return {cls.LEARNER: _l("Learner"), cls.INSTRUCTOR: _l("Instructor"), cls.ADMIN: _l("Administrator"),
                cls.COORDINATOR: _l("Coordinator")}


class EnrollmentStatus(TitledEnum):
    ENROLLED = "enrolled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @classmethod
    def _titles(cls) -> dict:
        return {
            cls.ENROLLED: _l("Enrolled"),
            cls.IN_PROGRESS: _l("In progress"),
            cls.COMPLETED: _l("Completed"),
        }
