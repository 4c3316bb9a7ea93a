from tests.access import Row, everyone, logged_in

ROWS = [
    Row("core.healthz", lambda w: "/healthz", everyone(200)),
    Row("core.livez", lambda w: "/livez", everyone(200)),
    Row("auth.register", lambda w: "/register", {**everyone(302), "anon": 200}),
    Row("auth.login", lambda w: "/login", {**everyone(302), "anon": 200}),
    Row("auth.logout", lambda w: "/logout", logged_in(302), method="POST"),
    Row("auth.logout_everywhere", lambda w: "/account/logout-everywhere", logged_in(302), method="POST"),
    Row("auth.profile", lambda w: "/account", logged_in(200)),
    Row("auth.name_change", lambda w: "/account/name", logged_in(200)),
    Row("auth.name_change", lambda w: "/account/name", logged_in(302), method="POST", id="POST auth.name_change",
        data=lambda w: {"requested_name": "Renamed Learner", "requested_name_latin": "", "reason": "Marriage"}),
    Row("auth.change_password", lambda w: "/account/password", logged_in(200)),
    Row("auth.reset_request", lambda w: "/reset-password", everyone(200)),
    Row("auth.reset_password", lambda w: "/reset-password/not-a-token", everyone(302)),
    Row("auth.set_language", lambda w: "/language", everyone(302), method="POST", data=lambda w: {"lang": "fr"}),
]
