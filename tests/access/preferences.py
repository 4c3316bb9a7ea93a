from tests.access import Row, logged_in

ROWS = [
    # Everyone with an account chooses how their own notifications reach them.
    Row("preferences.edit", lambda w: "/account/notifications", logged_in(200)),
    Row("preferences.edit", lambda w: "/account/notifications", logged_in(302), method="POST",
        data=lambda w: {"kind_survey": "weekly"}, id="POST preferences.edit"),
]
