"""Learners from a staff registry: created or updated by their registry id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from academy.admin.services import correct_name
from academy.api.core import ApiError
from academy.auth.models import Tisc, User
from academy.auth.names import InvalidName, clean_name
from academy.auth.services import AccountError, create_user, email_taken, normalise_email
from academy.core.audit import record
from academy.core.enums import Gender
from academy.extensions import db

FIELDS = ("email", "full_name", "gender", "country_code", "tisc_id", "institution_other", "preferred_language")


def _snapshot(user: User) -> dict:
    return {name: getattr(user, name).value if name == "gender" else getattr(user, name) for name in FIELDS}


def upsert_learner(external_id: str, data: dict, *, actor, token_id: int | None = None) -> tuple[User, bool]:
    """Create the learner with this registry id, or bring their account in line with
    ``data``; returns (user, created). Checks as registration does: a taken e-mail, a name
    that cannot be printed, a TISC outside the country are refused with the field."""
    from flask import current_app

    from academy.api.resources import new_password

    data = {**data, "country_code": data["country_code"].upper()}
    if data["preferred_language"] not in current_app.config["LANGUAGES"]:
        raise ApiError(422, "Not a language of this site.", field="preferred_language")
    actor_id = actor.id if actor else None
    user = db.session.scalar(select(User).where(User.external_id == external_id))
    if user is None:
        try:
            # In a savepoint: a simultaneous call for the same learner may have written its row
            # since the look-up above; its insert then fails here, and nothing of this one stays.
            with db.session.begin_nested():
                user = create_user(password=new_password(), **data)
                user.external_id = external_id
                db.session.flush()
        except AccountError as exc:
            raise ApiError(409 if exc.field == "email" else 422, str(exc), field=exc.field) from None
        except IntegrityError:
            field = "email" if email_taken(data["email"]) else "external_id"
            raise ApiError(409, "Another request created this learner a moment ago; send this one again to "
                                "update them.", field=field) from None
        record("api.learner_created", "user", user.id, actor_id=actor_id,
               after={**_snapshot(user), "external_id": external_id, "token_id": token_id})
        return user, True
    before = _snapshot(user)
    if normalise_email(data["email"]) != user.email and email_taken(data["email"]):
        raise ApiError(409, "An account with this email already exists.", field="email")
    try:
        full_name = clean_name(data["full_name"])
    except InvalidName as exc:
        raise ApiError(422, str(exc), field="full_name") from None
    if data["tisc_id"] is not None:
        tisc = db.session.get(Tisc, data["tisc_id"])
        if tisc is None or tisc.country_code != data["country_code"]:
            raise ApiError(422, "Choose a TISC in the learner's country.", field="tisc_id")
    if full_name != user.full_name:
        # As the admin console corrects a name: the old one is kept with the reason, for the
        # certificates printed with it.
        if actor is not None:
            correct_name(user, full_name, f"Staff registry update ({external_id})", actor=actor)
        else:
            user.full_name = full_name
    user.email = normalise_email(data["email"])
    user.gender = Gender(data["gender"])
    user.country_code = data["country_code"]
    user.tisc_id = data["tisc_id"]
    user.institution_other = (data["institution_other"] or None) if data["tisc_id"] is None else None
    user.preferred_language = data["preferred_language"]
    db.session.flush()
    after = _snapshot(user)
    if after != before:
        record("api.learner_updated", "user", user.id, before=before, after={**after, "token_id": token_id},
               actor_id=actor_id)
    return user, False
