"""WSGI entry point: ``waitress-serve wsgi:app`` or ``gunicorn wsgi:app``."""
from quizzer.web import create_app

app = create_app()
