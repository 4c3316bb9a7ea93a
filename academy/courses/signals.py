"""Events other features hook into (certificates listen to course completion)."""

from blinker import Namespace

_signals = Namespace()

#: sent with ``enrollment=`` once, when an enrolment becomes completed
course_completed = _signals.signal("course-completed")
