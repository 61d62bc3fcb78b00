"""Errors become responses here only: JSON under /api/ (or when asked for), HTML otherwise."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from quizzer.services.errors import Conflict, InvalidInput, NotFound
from quizzer.services.rate_limits import RateLimited


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str):
    if wants_json():
        return jsonify(error={"status": status, "message": message}), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(err):
        return error_response(404, str(err) or "Not found.")

    @app.errorhandler(InvalidInput)
    def _invalid(err):
        return error_response(400, str(err))

    @app.errorhandler(Conflict)
    def _conflict(err):
        return error_response(409, str(err))

    @app.errorhandler(RateLimited)
    def _limited(err):
        body, status = error_response(429, str(err))
        return body, status, {"Retry-After": str(err.retry_after)}

    @app.errorhandler(CSRFError)
    def _csrf(err):
        return error_response(400, f"The form's security token is missing or invalid ({err.description}). "
                                   "Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http(err):
        return error_response(err.code or 500, err.description or err.name)
