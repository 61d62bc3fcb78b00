"""CSRF protection and security headers (rate limits: services.rate_limits)."""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

# No inline script anywhere: every script is a file under /static.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def init_app(app: Flask) -> None:
    csrf.init_app(app)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            _secure_cookies(response)
        return response

    app.session_interface = _HttpsAwareSessions()


def _secure_cookies(response) -> None:
    """Over https every cookie is Secure. Flask-Login's remember-me cookie has only a fixed
    REMEMBER_COOKIE_SECURE setting, so it is marked here (this hook runs after Flask-Login's)."""
    cookies = response.headers.getlist("Set-Cookie")
    if any("; secure" not in cookie.lower() for cookie in cookies):
        del response.headers["Set-Cookie"]
        for cookie in cookies:
            response.headers.add("Set-Cookie", cookie if "; secure" in cookie.lower() else cookie + "; Secure")


class _HttpsAwareSessions(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)
