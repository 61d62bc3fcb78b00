"""The Flask app factory: configuration, database, security, blueprints."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from quizzer import jobs
from quizzer.config import Settings, load_settings
from quizzer.deck_format.render import render_markdown
from quizzer.import_worker import ImportWorker
from quizzer.logs import AccessLog, configure_logging
from quizzer.store import connect
from quizzer.store.db import end_request_connection, open_connection
from quizzer.web import admin as admin_views
from quizzer.web import api, auth, errors, pages, params, security, transfer
from quizzer.web import quiz as quiz_views
from quizzer.web import stats as stats_views
from quizzer.web.params import MAX_ID


class _IdConverter(IntegerConverter):
    """``<int:...>`` in URLs, at most MAX_ID: /api/cards/99999999999999999999 is a 404, not a crash."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    """Build the app. ``settings`` defaults to the QUIZZER_* environment; ``overrides`` go to app.config."""
    settings = settings or load_settings()
    app = errors.QuizzerFlask("quizzer", instance_path=str(settings.instance_dir), instance_relative_config=True)
    app.config.update(
        QUIZZER=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=timedelta(days=settings.remember_days),
        # A review tab left open for hours must still be able to post answers.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
        ALLOW_SIGNUP=settings.allow_signup,
    )
    app.config.update(overrides)
    configure_logging(settings.log_level)
    app.wsgi_app = AccessLog(app.wsgi_app)  # type: ignore[method-assign]  # the documented way to wrap
    if settings.trusted_proxies:
        # Outermost, so the access log, the rate limits, Secure cookies and HSTS all see the client's
        # address and scheme. Only the last N hops are believed: a client cannot forge its way in.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                x_port=hops)
    connect(settings.database_url)

    @app.before_request
    def _open_db():
        open_connection()

    @app.teardown_request
    def _close_db(_exc):
        end_request_connection()

    app.url_map.converters["int"] = _IdConverter
    app.jinja_env.filters["markdown"] = lambda text: Markup(render_markdown(text))
    security.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    app.before_request(params.refuse_nul_characters)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(quiz_views.bp)
    app.register_blueprint(transfer.bp)
    app.register_blueprint(stats_views.bp)
    app.register_blueprint(admin_views.bp)
    if settings.run_jobs:
        jobs.start(app)
    # Imports run in every process, whatever QUIZZER_JOBS says: the database hands each job to one.
    worker = ImportWorker(settings.instance_dir / "media", settings.import_limits).start()
    app.extensions["quizzer_import_worker"] = worker
    return app
