"""Errors become responses here only: JSON under /api/ (or when asked for), HTML otherwise.

Service errors and HTTP errors are 4xx naming the field at fault. Anything else is a bug: it stays
a 500, logged with the request's id, which the response (and its X-Request-ID header) carries.
"""
from __future__ import annotations

import secrets

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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


def request_id() -> str:
    """This request's id (made on first use), for the log and the response."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(8)
    return g.request_id


class QuizzerFlask(Flask):
    """Flask, logging an unexpected exception with the request's id."""

    def log_exception(self, exc_info) -> None:
        self.logger.error("Exception on %s [%s], request id %s", request.path, request.method, request_id(),
                          exc_info=exc_info)


def init_app(app: Flask) -> None:
    @app.after_request
    def _request_id_header(response):
        response.headers["X-Request-ID"] = request_id()
        return response

    @app.errorhandler(InternalServerError)
    def _server_error(_err):
        return error_response(500, f"Something went wrong on our side. It is logged as request {request_id()}.")

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
        return error_response(400, f"csrf_token: the form's security token is missing or invalid ({err.description}). "
                                   "Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http(err):
        if err.code == 404 and request.url_rule is None:  # no route: the path is the input at fault
            return error_response(404, "path: no page here (check the address)")
        return error_response(err.code or 500, err.description or err.name)
