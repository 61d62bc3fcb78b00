"""The upload page: dry-run preview then apply, errors as 400/413 with nothing written, exports, media."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from quizzer.services import import_jobs
from quizzer.store.models import CardState, Deck, Note, utcnow
from tests.anki_factory import build_collection, export_package, padded_package
from tests.conftest import follow_job
from tests.test_deck_matching import anki_package

DECK = "id: web\ntitle: Web deck\ncards:\n  - {id: a, question: Q?, answer: A.}\n"


@pytest.fixture(scope="module")
def apkg(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-anki")
    col = build_collection(folder / "c.anki2")
    path = export_package(col, folder / "french.apkg", legacy=False)
    col.close()
    return path.read_bytes()


def upload(client, name: str, data: bytes, **fields):
    """Upload through the form, then follow the import job's page until it stops running."""
    client.refresh_csrf("/import")
    return follow_job(client, client.form("/import", {"file": (io.BytesIO(data), name), **fields},
                                          content_type="multipart/form-data"))


def apply(client, preview_html: str):
    """Press the preview's Apply and follow the job to its end (a redirect to the dashboard when done);
    for an account backup's restore preview, its Restore button."""
    backup = re.search(r'name="token" value="([0-9a-f]+)"', preview_html)
    if backup:
        return client.form("/import/apply", {"token": backup.group(1)})
    job_id = re.search(r'action="/import/jobs/(\d+)/apply"', preview_html).group(1)
    return follow_job(client, client.form(f"/import/jobs/{job_id}/apply"))
def test_preview_then_apply(logged_in):
    alice = logged_in("alice")
    page = upload(alice, "web.yaml", DECK.encode())
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Preview: web.yaml" in html
    assert re.search(r"web <span class=\"badge new\">new deck</span></th>\s*<td class=\"num\">1</td>", html)
    assert Deck.select().count() == 0  # nothing until applied
    done = apply(alice, html)
    assert done.status_code == 302
    assert Deck.get(Deck.slug == "web").owner.username == "alice"
    edited = upload(alice, "web.yaml", DECK.replace("A.", "Changed.").encode()).get_data(as_text=True)
    assert re.search(r"<td class=\"num\">0</td><td class=\"num\">1</td>", edited)  # 0 added, 1 changed


def test_apkg_upload_with_progress_and_images(logged_in, apkg):
    alice = logged_in("alice")
    html = upload(alice, "french.apkg", apkg, with_progress="1").get_data(as_text=True)
    assert "1 image(s)." in html and "Scheduling carried over for\n    3 card(s)" in html
    assert apply(alice, html).status_code == 302
    assert CardState.select().count() == 3
    image = re.search(r'(/media/[0-9a-f]{64}\.png)', Note.get(Note.question == "chien").answer).group(1)
    assert alice.get(image).status_code == 200 and alice.get(image).data.startswith(b"\x89PNG")
    bob = logged_in("bob")
    assert bob.get(image).status_code == 404  # someone else's image
    alice.form("/logout")
    assert alice.get(image).status_code == 302  # log in first


@pytest.mark.parametrize("name, data, status, message", [
    ("deck.apkg", b"not a zip", 400, "deck.apkg:1:1: not a zip archive"),
    ("web.yaml", b"id: x\ntitle: [\n", 400, "web.yaml:3:1: invalid YAML"),
    ("words.csv", b"question,answer\nq\n", 400, "words.csv:2:1: row has 1 cells but the header has 2"),
    ("words.txt", b"caf\xe9\tcoffee\n", 400, "words.txt:1:4: invalid UTF-8 byte 0xe9"),
    ("deck.pdf", b"%PDF", 400, "deck.pdf:1:1: unsupported file type"),
])
def test_bad_uploads_are_400_with_the_problem_and_write_nothing(logged_in, name, data, status, message):
    alice = logged_in("alice")
    response = upload(alice, name, data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert Deck.select().count() == 0


def test_a_zip_bomb_is_413(logged_in):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        # 4 MB of zeros in about 4 KB (a bigger deck is refused at 5 MB by the deck size limit, read no further)
        archive.writestr("decks/huge.yaml", bytes(4 << 20))
    response = upload(logged_in("alice"), "decks.zip", out.getvalue())
    assert response.status_code == 413
    assert "expands more than 200 times" in response.get_data(as_text=True)


def test_an_upload_over_the_limit_is_413(make_app):
    app = make_app(env={"QUIZZER_MAX_UPLOAD_MB": "1"})
    client = app.test_client()
    assert client.signup("alice").status_code == 302
    response = upload(client, "big.yaml", b"#" * (1024 * 1024 + 10))
    assert response.status_code == 413
    assert "larger than the upload limit of 1 MB" in response.get_data(as_text=True)
    assert Deck.select().count() == 0


def test_a_package_expanding_past_the_configured_cap_is_413(make_app, tmp_path):
    package = padded_package(tmp_path, 3 << 20).read_bytes()  # expands to about 3 MB
    app = make_app(env={"QUIZZER_MAX_EXPANDED_MB": "2"})
    client = app.test_client()
    assert client.signup("alice").status_code == 302
    response = upload(client, "deck.apkg", package)
    assert response.status_code == 413
    assert "the archive expands past 2,097,152 bytes" in response.get_data(as_text=True)
    assert Deck.select().count() == 0


def test_apply_needs_the_users_own_token(logged_in):
    alice = logged_in("alice")
    html = upload(alice, "web.yaml", DECK.encode()).get_data(as_text=True)
    bob = logged_in("bob")
    bob.refresh_csrf("/import")
    assert apply(bob, html).status_code == 404
    assert Deck.select().count() == 0


def test_export_page_and_downloads(logged_in):
    alice = logged_in("alice")
    apply(alice, upload(alice, "web.yaml", DECK.encode()).get_data(as_text=True))
    deck = Deck.get(Deck.slug == "web")
    page = alice.get("/export").get_data(as_text=True)
    assert f"/export/decks/{deck.id}.yaml" in page and f"/export/decks/{deck.id}.apkg" in page
    yaml_download = alice.get(f"/export/decks/{deck.id}.yaml")
    assert yaml_download.headers["Content-Disposition"] == 'attachment; filename="web.yaml"'
    assert "question: Q?" in yaml_download.get_data(as_text=True)
    assert alice.get(f"/export/decks/{deck.id}.apkg").data[:2] == b"PK"
    assert alice.get("/export/reviews.csv").get_data(as_text=True).startswith("reviewed_at,day,deck")
    assert alice.get("/export/backup.zip").data[:2] == b"PK"
    bob = logged_in("bob")
    assert bob.get(f"/export/decks/{deck.id}.yaml").status_code == 404


def test_pages_need_login(client):
    for path in ("/import", "/export", "/export/reviews.csv", "/export/backup.zip"):
        assert client.get(path).status_code == 302


def test_the_upload_returns_at_once_with_the_jobs_progress_page(make_app, db_url):
    app = make_app(db_url)
    app.extensions["quizzer_import_worker"].stop()  # nothing runs the job until this test says so
    alice = app.test_client()
    assert alice.signup("alice").status_code == 302
    alice.refresh_csrf("/import")
    response = alice.form("/import", {"file": (io.BytesIO(DECK.encode()), "web.yaml")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    page = alice.get(response.location)
    html = page.get_data(as_text=True)
    job_id = re.search(r"/import/jobs/(\d+)", response.location).group(1)
    assert "Waiting to start" in html and f'href="/import/jobs/{job_id}">Refresh</a>' in html  # works without JS
    assert "import_progress.js" in html and "<script>" not in html
    status = alice.get(f"/import/jobs/{job_id}/status").get_json()
    assert status == {"phase": "queued", "label": "Waiting to start", "done": 0, "total": 0, "running": True}
    again = alice.form("/import", {"file": (io.BytesIO(DECK.encode()), "web.yaml")},
                       content_type="multipart/form-data")
    assert again.status_code == 409 and "you have an import running" in again.get_data(as_text=True)
    bob = app.test_client()
    assert bob.signup("bob").status_code == 302
    assert bob.get(f"/import/jobs/{job_id}").status_code == 404  # someone else's
    alice.refresh_csrf(f"/import/jobs/{job_id}")
    cancelled = alice.form(f"/import/jobs/{job_id}/cancel")
    assert cancelled.status_code == 302
    assert "Import cancelled" in alice.get(cancelled.location).get_data(as_text=True)
    assert alice.get(f"/import/jobs/{job_id}/status").get_json()["phase"] == "cancelled"
    assert import_jobs.claim_next("another process", utcnow()) is None  # nothing left to run
    assert Deck.select().count() == 0


def test_upload_preview_apply_through_the_worker_on_both_engines(make_app, db_url):
    alice = make_app(db_url).test_client()
    assert alice.signup("alice").status_code == 302
    preview = upload(alice, "web.yaml", DECK.encode())
    assert "Preview: web.yaml" in preview.get_data(as_text=True) and Deck.select().count() == 0
    job_id = re.search(r'action="/import/jobs/(\d+)/apply"', preview.get_data(as_text=True)).group(1)
    status = alice.get(f"/import/jobs/{job_id}/status").get_json()
    assert (status["phase"], status["done"], status["total"], status["running"]) == ("ready", 1, 1, False)
    done = apply(alice, preview.get_data(as_text=True))
    assert done.status_code == 302
    assert "Imported web: new deck, 1 added" in alice.get(done.location).get_data(as_text=True)
    assert Deck.get(Deck.slug == "web").owner.username == "alice"


def test_an_anki_deck_named_like_my_deck_previews_as_its_own_deck_unless_i_choose(logged_in, tmp_path):
    alice = logged_in("alice")
    assert apply(alice, upload(alice, "web.yaml", DECK.encode()).get_data(as_text=True)).status_code == 302
    package = anki_package(tmp_path, "Web", [("hola", "hello")])
    form = alice.get("/import").get_data(as_text=True)
    assert '<option value="web" >Web deck (web)</option>' in form
    html = upload(alice, "web.apkg", package).get_data(as_text=True)
    assert ('web-2 <span class="badge new">new deck</span><br><span class="muted">Anki deck &#39;Web&#39;; '
            "the deck &#39;web&#39; is another deck and is left alone</span>") in html
    chosen = upload(alice, "web.apkg", package, into="web").get_data(as_text=True)
    assert "Anki deck &#39;Web&#39;, into the deck you chose" in chosen
    assert apply(alice, chosen).status_code == 302
    assert Deck.select().count() == 1 and Note.get(Note.question == "hola").deck.slug == "web"


def test_export_page_offers_a_deck_as_yaml_with_its_media_in_a_zip(logged_in):
    alice = logged_in("alice")
    assert apply(alice, upload(alice, "web.yaml", DECK.encode()).get_data(as_text=True)).status_code == 302
    deck = Deck.get(Deck.slug == "web")
    page = alice.get("/export").get_data(as_text=True)
    assert f'href="/export/decks/{deck.id}.zip">YAML + media (zip)</a>' in page
    assert "download the zip (the YAML and its media files), which\n    imports back whole" in page
    download = alice.get(f"/export/decks/{deck.id}.zip")
    assert download.headers["Content-Disposition"] == 'attachment; filename="web.zip"'
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert archive.namelist() == ["web.yaml"]
    assert logged_in("bob").get(f"/export/decks/{deck.id}.zip").status_code == 404
