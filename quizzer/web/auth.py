"""Sign up, log in, log out, change password (Flask-Login sessions)."""
from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TypeGuard

from flask import Blueprint, Flask, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user

from quizzer.services import users as user_service
from quizzer.services.errors import Conflict, InvalidInput
from quizzer.services.rate_limits import RateLimited
from quizzer.store.models import User
from quizzer.store.users import find_user_by_id

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to study."


class SessionUser(UserMixin):
    """The logged-in account. The session id carries the account's session version,
    so logging out (which bumps it) kills every copy of the cookie."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"

    def __getattr__(self, name):
        return getattr(self.user, name)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


@login_manager.user_loader
def _load(session_id: str):
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.lstrip("-").isdigit():
        return None
    user = find_user_by_id(int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return SessionUser(user)


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        return jsonify(error={"status": 401, "message": "log in first"}), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def is_local_path(target: str | None) -> TypeGuard[str]:
    r"""A path on this site only. Browsers drop tabs and newlines from a URL and read '\' as '/',
    so "/\t/evil.example" or "/\evil.example" would leave the site: refused like "//evil.example"."""
    return target is not None and target.startswith("/") and target.isprintable() and target[1:2] not in ("/", "\\")


def _safe_next(target: str | None) -> str:
    return target if is_local_path(target) else url_for("pages.dashboard")


def _client() -> tuple[str, datetime]:
    """The client's address (the proxy's unless QUIZZER_TRUSTED_PROXIES is set) and the time now."""
    return request.remote_addr or "", datetime.now(UTC)


def _form_page(template: str, error: Exception | None, failed_status: int, **context):
    """The form again, with the error: 429 and Retry-After when rate limited."""
    if isinstance(error, RateLimited):
        return render_template(template, error=str(error), **context), 429, {"Retry-After": str(error.retry_after)}
    return render_template(template, error=error and str(error), **context), failed_status if error else 200


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if not current_app.config["ALLOW_SIGNUP"]:
        return render_template("auth/closed.html"), 403
    error: Exception | None = None
    if request.method == "POST":
        try:
            user = user_service.sign_up(request.form.get("username", ""), request.form.get("password", ""),
                                        *_client())
            tz = request.form.get("timezone")
            if tz:
                with contextlib.suppress(InvalidInput):  # the browser's guess is optional; UTC stays
                    user_service.update_settings(user, timezone=tz)
            session.clear()
            login_user(SessionUser(user))
            flash(f"Welcome, {user.username}! The shared decks are ready for you.")
            return redirect(url_for("pages.dashboard"))
        except (InvalidInput, Conflict, RateLimited) as err:
            error = err
    return _form_page("auth/signup.html", error, 400)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error: Exception | None = None
    if request.method == "POST":
        try:
            user = user_service.log_in(request.form.get("username", ""), request.form.get("password", ""),
                                       *_client())
        except RateLimited as err:
            error = err
        else:
            if user is not None:
                session.clear()
                login_user(SessionUser(user), remember=bool(request.form.get("remember")))
                return redirect(_safe_next(request.args.get("next")))
            error = InvalidInput("Wrong username or password.")
    return _form_page("auth/login.html", error, 401, allow_signup=current_app.config["ALLOW_SIGNUP"])


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user_service.end_sessions(current_user.user)
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    error: Exception | None = None
    if request.method == "POST":
        try:
            if request.form.get("new_password") != request.form.get("confirm_password"):
                raise InvalidInput("confirm password: does not match the new password")
            address, now = _client()
            user_service.change_password(current_user.user, request.form.get("old_password", ""),
                                         request.form.get("new_password", ""), address=address, now=now)
            login_user(SessionUser(current_user.user))  # this session stays valid, others end
            flash("Password changed. Other sessions were logged out.")
            return redirect(url_for("pages.settings"))
        except (InvalidInput, RateLimited) as err:
            error = err
    return _form_page("auth/password.html", error, 400)
