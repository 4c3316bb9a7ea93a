"""Features talk through the signals declared in academy.core.signals, connected when an
app is set up: every signal is documented and answered, and a second app in the same
process (a worker that builds two, the tests) adds nothing twice."""

from __future__ import annotations

import re

from academy.core import signals


def _receivers() -> dict[str, list]:
    return {name: list(sig.receivers_for(None)) for name, sig in signals.declared_signals().items()}


def test_every_declared_signal_says_what_it_carries_and_some_feature_answers_it(app):
    declared = signals.declared_signals()
    assert "course-completed" in declared and "admin-user-sections" in declared
    for name, sig in declared.items():
        doc = (sig.__doc__ or "").strip()
        assert "sender" in doc, f"{name}: the docstring says what the sender is"
        assert list(sig.receivers_for(None)), f"{name}: no feature connects a receiver"


def test_a_second_app_in_the_same_process_answers_each_signal_once(app, client, make_user, login_as, tmp_path):
    from tests.conftest import make_test_app

    before = _receivers()
    make_test_app(tmp_path, f"sqlite:///{tmp_path / 'second.db'}")
    assert _receivers() == before

    # What several features add to one page is there once, in the set-up order.
    admin, learner = make_user("admin"), make_user()
    login_as(admin)
    html = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    sections = re.findall(r"<section>\s*<h2>([^<]+)</h2>", html)
    assert sections == ["Quiz attempts", "Certification records", "Certificates"]
    login_as(learner)
    header = client.get("/").get_data(as_text=True)
    assert header.count(">My certificates</a>") == 1
    assert header.count(">Certification</a>") == 1


def test_a_receiver_can_contribute_one_value_or_several():
    sig = signals.AcademySignal("test-values")

    def one(sender, **_kw):
        return "a"

    def several(sender, **_kw):
        yield from ("b", "c")

    def nothing(sender, **_kw):
        return None

    sig.connect(one)
    sig.connect(nothing)
    sig.connect(several)
    assert signals.values_from_signal(sig.send()) == ["a", "b", "c"]
