"""Form markup that assistive technology relies on: labels, and ARIA attributes only when they mean something."""

import re


def test_fields_carry_no_empty_or_none_attributes(client, app):
    for path in ("/login", "/register", "/reset-password"):
        html = client.get(path).get_data(as_text=True)
        assert '="None"' not in html, path
        assert "aria-invalid" not in html and "aria-describedby=\"\"" not in html, path
        for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
            if input_id in {"lang-select"} or input_id.startswith("csrf"):
                continue
            assert f'for="{input_id}"' in html, (path, input_id)


def test_errors_are_announced_and_linked_to_their_field(client, app):
    html = client.post("/register", data={"email": "not-an-email"}).get_data(as_text=True)
    assert 'role="alert"' in html and "autofocus" in html
    email = re.search(r'<input[^>]*id="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email
    assert 'aria-describedby="email-error"' in email
    assert re.search(r'<p class="error" id="email-error">\s*\S', html)
    assert 'href="#email"' in html  # the summary links to the field
    # The hint stays linked as well as the error.
    password = re.search(r'<input[^>]*id="password"[^>]*>', html).group(0)
    assert 'aria-describedby="password-error password-hint"' in password


def test_required_only_on_fields_whose_validators_require_them(app):
    from flask import render_template_string
    from flask_wtf.file import FileField, FileRequired, MultipleFileField
    from wtforms import StringField
    from wtforms.validators import DataRequired, InputRequired, Optional

    from academy.core.forms import AcademyForm

    class Form(AcademyForm):
        optional_file = FileField("Optional file")
        optional_files = MultipleFileField("Optional files", validators=[Optional()])
        needed_file = FileField("Needed file", validators=[FileRequired()])
        optional_text = StringField("Optional text", validators=[Optional()])
        needed_text = StringField("Needed text", validators=[DataRequired()])
        needed_number = StringField("Needed number", validators=[InputRequired()])

    template = ('{% from "_forms.html" import field %}'
                '{% for f in form if f.name != "csrf_token" %}'
                '{{ field(f, attrs={"accept": ".pdf"} if f.type.endswith("FileField") else None) }}{% endfor %}')
    with app.test_request_context():
        html = render_template_string(template, form=Form(meta={"csrf": False}))
    inputs = {m.group(1): m.group(0) for m in re.finditer(r'<input[^>]*\bid="([^"]+)"[^>]*>', html)}
    required = {name for name, tag in inputs.items() if re.search(r"\srequired[\s>]", tag)}
    assert required == {"needed_file", "needed_text", "needed_number"}
    assert 'accept=".pdf"' in inputs["optional_file"] and "multiple" in inputs["optional_files"]
    assert "None" not in html


def test_evidence_and_feedback_file_inputs_are_optional(client, app, make_user, mini_course):
    from academy.extensions import db
    from tests.certification.world import build
    from tests.conftest import login

    admin, learner = make_user("admin"), make_user("learner")
    w = build(mini_course, make_user("instructor"), [learner])
    w.records[0].phase2_passed_at = w.records[0].started_at
    db.session.commit()
    for user, path in ((admin, f"/certification/cohorts/{w.cohort.id}"),
                       (learner, f"/certification/records/{w.records[0].id}/tasks/{w.tasks[0].id}")):
        login(client, user)
        html = client.get(path).get_data(as_text=True)
        files = re.findall(r'<input[^>]*type="file"[^>]*>', html)
        assert files, path
        assert not any(re.search(r"\srequired[\s>]", tag) for tag in files), (path, files)
        client.post("/logout")
