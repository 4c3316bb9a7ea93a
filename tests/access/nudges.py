from tests.access import Row, admin_only

ROWS = [
    # Only admins set the nudges' thresholds of a programme.
    Row("nudges.index", lambda w: "/admin/nudges/", admin_only(200)),
    Row("nudges.save", lambda w: f"/admin/nudges/{w.programme.id}", admin_only(302), method="POST",
        data=lambda w: {f"p{w.programme.id}-inactive_days": "20", f"p{w.programme.id}-expiry_first_days": "90",
                        f"p{w.programme.id}-expiry_final_days": "30"}),
]
