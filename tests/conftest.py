"""Shared fixtures: a fresh database per test on SQLite and on the real PostgreSQL."""
from __future__ import annotations

import os
import re as _re
import threading
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import pytest
from flask.testing import FlaskClient
from psycopg2 import sql
from waitress.server import create_server

from quizzer.config import load_settings
from quizzer.services import users as user_service
from quizzer.services.decks import load_files
from quizzer.store import connect
from quizzer.store.db import database_proxy

PG_ADMIN_DSN = os.environ.get("QUIZZER_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
# One database per test process, so runs started side by side do not reset each other's schema.
PG_DATABASE = os.environ.get("QUIZZER_TEST_PG_DB", f"quizzer_test_{os.getpid()}")
PG_URL = PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + PG_DATABASE
REPO = Path(__file__).resolve().parents[1]
BUNDLED_DECKS = REPO / "decks"


def _reset_postgres() -> None:
    """A clean per-process test database (created on first use); fails loudly if PostgreSQL is down."""
    admin = psycopg2.connect(PG_ADMIN_DSN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))
    admin.close()
    _created_databases.add(PG_DATABASE)
    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()


_created_databases: set[str] = set()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_database():
    yield
    if PG_DATABASE not in _created_databases:
        return
    admin = psycopg2.connect(PG_ADMIN_DSN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DATABASE)))
    admin.close()


def database_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'quizzer.db'}"
    _reset_postgres()
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    return database_url(request.param, tmp_path)


@pytest.fixture
def db(db_url):
    """A migrated database bound to the models, on both engines."""
    database = connect(db_url)
    yield database
    close_all = getattr(database, "close_all", database.close)  # pooled PostgreSQL
    close_all()


@pytest.fixture
def sqlite_db(tmp_path):
    """A migrated SQLite database, for tests about behaviour the engine does not change."""
    database = connect(database_url("sqlite", tmp_path))
    yield database
    database.close()


@pytest.fixture
def user(db):
    return user_service.create_user("alice", "correct horse battery")


def at(text: str) -> datetime:
    """An aware UTC instant from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def write_deck(tmp_path):
    """Write a YAML deck file and return its path."""
    def write(text: str, name: str = "deck.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


@pytest.fixture(autouse=True)
def _unbind():
    yield
    if database_proxy.obj is not None and not database_proxy.is_closed():
        database_proxy.close()


# --- Web app: the Flask app on a fresh database, and test clients that act like a browser -------------
# CSRF stays ON: clients read the token from the page (<meta name="csrf-token">) like review.js does.

_CSRF_META = _re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_CSRF_INPUT = _re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"


def csrf_from(html: str) -> str:
    """The CSRF token a page carries (meta tag first, else the first hidden form field)."""
    found = _CSRF_META.search(html) or _CSRF_INPUT.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


class WebClient(FlaskClient):
    """A test client that keeps the CSRF token of the last page it fetched for its forms and API calls."""

    csrf: str | None = None

    def refresh_csrf(self, path: str = "/login") -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        self.csrf = csrf_from(response.get_data(as_text=True))
        return self.csrf

    def form(self, path: str, data: dict | None = None, **kwargs):
        """POST a form with the hidden csrf_token field, as the browser would."""
        if self.csrf is None:
            self.refresh_csrf()
        return self.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def api(self, path: str, body=None, method: str = "POST", **kwargs):
        """Call the JSON API with the X-CSRFToken header, as review.js does."""
        if self.csrf is None:
            self.refresh_csrf()
        headers = {"X-CSRFToken": self.csrf, "Accept": "application/json", **kwargs.pop("headers", {})}
        return self.open(path, method=method, json={} if body is None else body, headers=headers, **kwargs)

    def signup(self, username: str, password: str = PASSWORD, **extra):
        """Sign up through the real /signup form (GET for the token, then POST)."""
        page = self.get("/signup")
        assert page.status_code == 200
        response = self.post("/signup", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                              "username": username, "password": password, **extra})
        if response.status_code == 302:
            self.csrf = None  # signing up starts a new session, with a new token (fetched when needed)
        return response

    def login(self, username: str, password: str = PASSWORD, next_url: str | None = None):
        page = self.get("/login")
        path = "/login" + (f"?next={next_url}" if next_url else "")
        response = self.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                         "username": username, "password": password})
        if response.status_code == 302:
            self.csrf = None
        return response

    def session_cookie(self):
        return self.get_cookie("session")


def follow_job(client, response, timeout: float = 60.0):
    """Follow an import job's page (the upload's or Apply's redirect to it) until the job stops running;
    the last response: the preview, the problems, or the redirect to the dashboard."""
    import time
    deadline = time.monotonic() + timeout
    while (response.status_code == 303 and "/import/jobs/" in response.location) or \
            (response.status_code == 200 and 'id="import-job"' in response.get_data(as_text=True)
             and 'data-phase="cancelled"' not in response.get_data(as_text=True)):
        assert time.monotonic() < deadline, "the import job did not finish"
        if response.status_code == 200:
            time.sleep(0.05)
        response = client.get(response.location if response.status_code == 303 else response.request.path)
    return response


def web_settings(tmp_path: Path, database_url_: str, **env):
    decks_dir = tmp_path / "web-decks"
    decks_dir.mkdir(exist_ok=True)
    values = {"QUIZZER_INSTANCE_DIR": str(tmp_path / "instance"), "QUIZZER_DATABASE_URL": database_url_,
              "QUIZZER_JOBS": "0", "QUIZZER_DECKS_DIR": str(decks_dir)}
    values.update(env)
    return load_settings(values)


@pytest.fixture
def make_app(tmp_path):
    """make_app(database_url=None, env=None, **config) -> a Flask app (SQLite unless a URL is given)."""
    from quizzer.web import create_app

    apps = []

    def make(database_url_: str | None = None, env: dict | None = None, **config):
        url = database_url_ or database_url("sqlite", tmp_path)
        app = create_app(web_settings(tmp_path, url, **(env or {})), TESTING=True, **config)
        assert app.config.get("WTF_CSRF_ENABLED", True), "tests keep CSRF on"
        app.test_client_class = WebClient
        apps.append(app)
        return app
    yield make
    for app in apps:  # each app's import thread, before the next test binds another database
        app.extensions["quizzer_import_worker"].stop()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app) -> WebClient:
    """An anonymous browser."""
    return app.test_client()


@pytest.fixture
def logged_in(app):
    """logged_in(username) -> a WebClient signed up (through /signup) and logged in as that user."""
    def make(username: str = "alice", password: str = PASSWORD, target_app=None) -> WebClient:
        c = (target_app or app).test_client()
        response = c.signup(username, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return c
    return make


@pytest.fixture
def load_deck(write_deck):
    """load_deck(yaml_text, owner=None|username|User) -> the stored Deck, loaded through the real loader."""
    from quizzer.services.decks import load_files
    from quizzer.store.models import Deck, User

    def load(text: str, owner=None, name: str | None = None):
        owner_id = None
        if isinstance(owner, str):
            owner_id = User.get(User.username == owner).id
        elif owner is not None:
            owner_id = owner.id
        path = write_deck(text, name or f"deck-{abs(hash((text, owner_id)))}.yaml")
        plan, = load_files([path], owner_id)
        return Deck.get((Deck.slug == plan.deck_slug)
                        & (Deck.owner.is_null() if owner_id is None else Deck.owner == owner_id))
    return load


# Two small decks for the web tests: a shared one (everybody sees it) and a private one whose
# texts are unique markers, so a response can be searched for any leak of them.
SHARED_DECK = """
id: shared-basics
title: Shared basics
description: A **shared** deck for everyone.
tags: [basics]
cards:
  - id: capital-france
    question: What is the capital of France?
    answer: Paris
    tags: [geo]
  - id: two-plus-two
    question: What is 2 + 2?
    answer: "Four"
    tags: [math]
  - id: largest-ocean
    question: Which is the largest ocean?
    answer: The Pacific
    tags: [geo, water]
"""

PRIVATE_SECRETS = ("ZEBRA-QUESTION-7731", "OKAPI-ANSWER-1942", "Alice private notebook", "QUOKKA-EXPLANATION-5520")
PRIVATE_DECK = f"""
id: alice-private
title: {PRIVATE_SECRETS[2]}
description: Only for alice.
cards:
  - id: secret-one
    question: {PRIVATE_SECRETS[0]}?
    answer: {PRIVATE_SECRETS[1]}
    explanation: {PRIVATE_SECRETS[3]}
"""


@pytest.fixture
def import_deck(write_deck):
    """import_deck(yaml_text, owner=None, name=..., **load_files options) -> the ImportPlan."""
    from quizzer.services.decks import load_files

    def load(text: str, owner=None, name: str = "deck.yaml", **options):
        return load_files([write_deck(text, name)], owner.id if owner else None, **options)[0]
    return load


def card_id(deck_slug: str, note_slug: str, key: str = "front", owner=None) -> int:
    """The id of one card, by deck id, card id in the YAML and face key."""
    from quizzer.store.models import Card, Deck, Note

    owner_clause = Deck.owner.is_null() if owner is None else (Deck.owner == owner.id)
    return (Card.select(Card.id).join(Note, on=(Card.note == Note.id))
            .join(Deck, on=(Card.deck == Deck.id))
            .where(owner_clause & (Deck.slug == deck_slug) & (Note.slug == note_slug) & (Card.key == key))
            .get().id)


class ParsedPage:
    """Every element of an HTML page as (tag, attrs, text inside), parsed with the standard library."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        elements: list[tuple[str, dict, list]] = []
        stack: list[tuple[str, dict, list]] = []
        void = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

        class _Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                element = (tag, dict(attrs), [])
                elements.append(element)
                if tag not in void:
                    stack.append(element)

            def handle_endtag(self, tag):
                while stack:
                    if stack.pop()[0] == tag:
                        break

            def handle_data(self, data):
                for _, _, text in stack:
                    text.append(data)

        _Parser(convert_charrefs=True).feed(html)
        self.elements = [(tag, attrs, "".join(text)) for tag, attrs, text in elements]

    def find_all(self, tag: str | None = None, **attrs) -> list[tuple[str, dict, str]]:
        return [e for e in self.elements if (tag is None or e[0] == tag)
                and all(e[1].get(k.rstrip("_")) == v for k, v in attrs.items())]

    def by_id(self, element_id: str) -> tuple[str, dict, str]:
        found = self.find_all(id=element_id)
        assert len(found) == 1, f"expected one element #{element_id}, found {len(found)}"
        return found[0]


def parse(response_or_html) -> ParsedPage:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.get_data(as_text=True)
    return ParsedPage(html)


@pytest.fixture
def deck_server(tmp_path):
    """deck_server(*deck_texts) -> the base URL of a waitress server (a thread of this process) whose
    shared decks are those texts, on a new SQLite file; for the browser tests."""
    from quizzer.web import create_app

    servers = []

    def start(*decks: str) -> str:
        folder = tmp_path / "decks"
        folder.mkdir()
        for number, text in enumerate(decks):
            (folder / f"deck{number}.yaml").write_text(text, encoding="utf-8")
        env = {"QUIZZER_INSTANCE_DIR": str(tmp_path), "QUIZZER_JOBS": "0",
               "QUIZZER_DATABASE_URL": f"sqlite:///{tmp_path / 'quizzer.db'}"}
        app = create_app(load_settings(env))
        load_files([folder])
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append((server, app))
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for server, app in servers:
        server.close()
        app.extensions["quizzer_import_worker"].stop()
