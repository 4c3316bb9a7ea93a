"""Events other features hook into (certificates and certification listen)."""

from blinker import Namespace

_signals = Namespace()

#: sent with ``enrollment=`` once, when an enrolment becomes completed
course_completed = _signals.signal("course-completed")

#: sent with ``enrollment=`` whenever a course's final assessment is passed, including
#: again after completion (a recertification counts that as the course's refresher)
final_assessment_passed = _signals.signal("final-assessment-passed")
