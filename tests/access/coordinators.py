from tests.access import Row, admin_only

COORDINATOR_ONLY = {"anon": 302, "learner": 403, "other": 403, "instructor": 403, "admin": 403, "coordinator": 200}

ROWS = [
    # A coordinator's pages, for their own scope only; nobody else has one.
    Row("coordinators.index", lambda w: "/coordinator/", COORDINATOR_ONLY),
    Row("coordinators.at_risk", lambda w: "/coordinator/at-risk", COORDINATOR_ONLY),
    Row("coordinators.certificates", lambda w: "/coordinator/certificates", COORDINATOR_ONLY),
    Row("coordinators.export", lambda w: "/coordinator/export.csv?figure=gender", COORDINATOR_ONLY,
        id="GET coordinators.export csv"),
    Row("coordinators.export", lambda w: "/coordinator/export.xlsx?figure=outcomes", COORDINATOR_ONLY,
        id="GET coordinators.export xlsx"),
    # Only admins make and unmake coordinators.
    Row("coordinators.admin_index", lambda w: "/admin/coordinators/", admin_only(200)),
    Row("coordinators.admin_index", lambda w: "/admin/coordinators/", admin_only(302), method="POST",
        data=lambda w: {"email": w.other.email, "countries": "PE"}, id="POST coordinators.admin_index"),
    Row("coordinators.admin_revoke", lambda w: f"/admin/coordinators/{w.coordinator.id}/revoke", admin_only(302),
        method="POST"),
]


def extend_world(w):
    from academy.coordinators.services import assign

    assign(w.coordinator, countries=["KE"], tisc_ids=[])
