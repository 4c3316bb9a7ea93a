from tests.access import Row, admin_only

ROWS = [
    Row("stats.dashboard", lambda w: "/admin/stats/", admin_only(200)),
    Row("stats.crosstab", lambda w: "/admin/stats/crosstab?rows=gender&cols=language&measure=enrolments",
        admin_only(200)),
    Row("stats.export_table", lambda w: "/admin/stats/export.csv?figure=gender", admin_only(200),
        id="GET stats.export_table csv"),
    Row("stats.export_table", lambda w: "/admin/stats/export.xlsx?figure=crosstab&rows=gender&cols=country"
        "&measure=enrolments", admin_only(200), id="GET stats.export_table xlsx"),
    Row("stats.learner_export", lambda w: "/admin/stats/enrolments", admin_only(200)),
    Row("stats.learner_export", lambda w: "/admin/stats/enrolments", admin_only(200), method="POST",
        data=lambda w: {"format": "csv", "include_personal": "y"}, id="POST stats.learner_export"),
]
