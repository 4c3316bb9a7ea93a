"""The REST API (/api/v1) and the tokens that open it."""

from __future__ import annotations


def init_app(app) -> None:
    """Build the app's Api, register the API's blueprints (each documented in the OpenAPI
    description), the token screens and the reference page."""
    from academy.api import schemas, views
    from academy.api.core import install
    from academy.api.resources import BLUEPRINTS
    from academy.extensions import csrf

    api = install(app)
    for bp in BLUEPRINTS:
        # No cookie reaches these routes (core.StripCookies): a bearer token is the only
        # credential, so there is no cookie session for CSRF to protect.
        csrf.exempt(bp)
        api.register_blueprint(bp)
    # Shapes the response schemas name without nesting them as marshmallow fields.
    api.spec.components.schema("Phase", schema=schemas.PhaseSchema)
    api.spec.components.schema("CertificateLinks", schema=schemas.CertificateLinks)
    app.extensions["academy.api"] = api
    app.register_blueprint(views.bp)
