"""Logging, configured once at start-up: one line per event with a timestamp, on stderr."""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

access_log = logging.getLogger("quizzer.access")


def configure_logging(level: str) -> None:
    """Send every logger's records at ``level`` and above to stderr, one line each.

    Called by the CLI and the WSGI entry point; a second call (an app built twice) changes nothing.
    """
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(handler, "_quizzer", False) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._quizzer = True  # type: ignore[attr-defined]  # marks our handler for the check above
        root.addHandler(handler)


class AccessLog:
    """WSGI middleware: one line per request (address, method, path, status, bytes, milliseconds)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def recording_start_response(code: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, *exc_info)

        sent = 0
        body = self.app(environ, recording_start_response)
        try:
            for chunk in body:
                sent += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            # The path without its query string, which may carry tokens.
            access_log.info("%s %s %s %s %d %.0fms", environ.get("REMOTE_ADDR", "-"),
                            environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", ""), status[0], sent,
                            (time.perf_counter() - started) * 1000)
