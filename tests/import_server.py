"""A separate web process for the two-process import test: the app on waitress until it is terminated.

    python -m tests.import_server DATABASE_URL INSTANCE_DIR SECRET_KEY

Prints the port it listens on (one line), then serves.
"""
from __future__ import annotations

import sys

from waitress.server import create_server

from quizzer.config import load_settings
from quizzer.web import create_app


def main(url: str, instance: str, secret_key: str) -> None:
    app = create_app(load_settings({"QUIZZER_DATABASE_URL": url, "QUIZZER_INSTANCE_DIR": instance,
                                    "QUIZZER_SECRET_KEY": secret_key, "QUIZZER_JOBS": "0",
                                    "QUIZZER_LOG_LEVEL": "WARNING"}))
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    print(server.effective_port, flush=True)
    server.run()


if __name__ == "__main__":
    main(*sys.argv[1:4])
