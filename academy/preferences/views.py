"""The user's notification preferences (/account/notifications)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from academy.auth.access import learner_required
from academy.core.forms import AcademyForm
from academy.preferences import services
from academy.preferences.models import Delivery

bp = Blueprint("preferences", __name__, template_folder="templates")


def preferences_form(saved: dict):
    class Form(AcademyForm):
        submit = SubmitField(_("Save my choices"))

    choices = [SelectChoice(value=d.value, label=d.title) for d in Delivery]
    for kind in services.choosable_kinds():
        setattr(Form, f"kind_{kind.value}", SelectField(kind.title, choices=choices,
                                                        default=saved[kind.value].value))
    return Form


@bp.route("/account/notifications", methods=["GET", "POST"])
@learner_required
def edit():
    saved = services.preferences(current_user.id)
    form = preferences_form(saved)()
    if form.validate_on_submit():
        services.save_preferences(current_user, {k.value: form[f"kind_{k.value}"].data
                                                 for k in services.choosable_kinds()})
        flash(_("Your notification choices are saved."), "success")
        return redirect(url_for(".edit"))
    fields = [form[f"kind_{k.value}"] for k in services.choosable_kinds()]
    return render_template("preferences/edit.html", form=form, fields=fields,
                           must_send=sorted(k.title for k in services.MUST_SEND))
