"""Two web processes with separate instance folders on one PostgreSQL database: an import uploaded
through one is watched, applied and finished through the other (whichever process's thread runs it)."""
from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
import requests

from quizzer.store import connect
from quizzer.store.import_models import ImportJob
from quizzer.store.models import Deck
from tests.conftest import REPO, csrf_from, database_url

DECK = "id: shared-db\ntitle: Two processes\ncards:\n" + "".join(
    f"  - {{id: c{i}, question: Q{i}?, answer: A{i}}}\n" for i in range(50))


@pytest.fixture
def two_servers(tmp_path):
    url = database_url("postgresql", tmp_path)
    database = connect(url)  # migrated once here; the servers find it at head
    servers = [subprocess.Popen([sys.executable, "-m", "tests.import_server", url, str(tmp_path / f"inst{i}"),
                                 "one-key-for-both"], cwd=REPO, stdout=subprocess.PIPE, text=True)
               for i in range(2)]
    try:
        yield [f"http://127.0.0.1:{server.stdout.readline().strip()}" for server in servers]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        database.close_all()


def _until(session: requests.Session, url: str, phases: set[str]) -> dict:
    deadline = time.monotonic() + 60
    while (status := session.get(url, headers={"Accept": "application/json"}).json())["phase"] not in phases:
        assert time.monotonic() < deadline, status
        time.sleep(0.1)
    return status


def test_an_import_uploaded_through_one_process_is_applied_through_the_other(two_servers):
    first, second = two_servers
    browser = requests.Session()  # one browser, one session cookie: valid on both (same secret key)
    token = csrf_from(browser.get(first + "/signup").text)
    assert browser.post(first + "/signup", data={"csrf_token": token, "username": "alice",
                                                 "password": "a long passphrase"}).ok
    token = csrf_from(browser.get(first + "/import").text)
    upload = browser.post(first + "/import", data={"csrf_token": token},
                          files={"file": ("shared.yaml", DECK.encode())}, allow_redirects=False)
    assert upload.status_code == 303
    job_id = re.search(r"/import/jobs/(\d+)$", upload.headers["Location"]).group(1)

    status = _until(browser, f"{second}/import/jobs/{job_id}/status", {"ready"})
    assert (status["done"], status["total"]) == (50, 50)
    preview = browser.get(f"{second}/import/jobs/{job_id}").text
    assert "Preview: shared.yaml" in preview
    applied = browser.post(f"{second}/import/jobs/{job_id}/apply", data={"csrf_token": csrf_from(preview)},
                           allow_redirects=False)
    assert applied.status_code == 303
    assert _until(browser, f"{first}/import/jobs/{job_id}/status", {"done", "failed"})["phase"] == "done"
    assert "Imported shared-db: new deck, 50 added" in browser.get(f"{first}/import/jobs/{job_id}").text
    assert Deck.get(Deck.slug == "shared-db").card_count == 50
    assert bytes(ImportJob.get_by_id(int(job_id)).data) == b""
