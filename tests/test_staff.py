"""The staff status page (/staff) and the counts behind it ("Was this helpful?", replies per kind).

Issue 11 (refused-edit details go to staff, not the public) and issue 12 (the staff page,
POST /api/feedback).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from server import create_app

from .conftest import FAQ_DIR, ROOT
from .test_loader import set_field

TOKEN = "staff-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def _app(**config):
    return create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "STAFF_TOKEN": TOKEN, **config})


@pytest.fixture(scope="module")
def staff_app():
    return _app()


@pytest.fixture()
def staff_client(staff_app):
    staff_app.extensions["usage"].clear()
    staff_app.extensions["rate_limiter"].reset()
    return staff_app.test_client()


def test_the_staff_page_does_not_exist_without_a_token(client):
    for path in ("/staff", "/staff/sign-in", "/staff/sign-out"):
        response = client.get(path) if path == "/staff" else client.post(path, data={"token": "x"})
        assert response.status_code == 404


def test_a_short_token_is_refused_at_start():
    with pytest.raises(ValueError, match="BOT_STAFF_TOKEN"):
        create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "STAFF_TOKEN": "short"})


def test_without_the_token_only_the_sign_in_form_is_shown(staff_client):
    for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": TOKEN}):
        response = staff_client.get("/staff", headers=headers)
        assert response.status_code == 401
        page = response.get_data(as_text=True)
        assert 'action="/staff/sign-in"' in page and "Content in service" not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp


def test_a_bearer_token_opens_the_page(staff_client, bot):
    response = staff_client.get("/staff", headers=BEARER)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert bot.version in page and "Content in service" in page and "Refused edits" in page
    assert f"{len(bot.kb.drafts)} entries and safety replies are drafts" in page
    assert "<li>adhd-overview</li>" in page and "Approved by: nobody yet." in page


def test_the_sign_in_form_sets_a_short_lived_cookie_and_sign_out_clears_it(staff_client):
    wrong = staff_client.post("/staff/sign-in", data={"token": "not-the-token-at-all"})
    assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    response = staff_client.post("/staff/sign-in", data={"token": TOKEN})
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff")
    cookie = response.headers["Set-Cookie"]
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/staff", "Max-Age=1800"):
        assert flag in cookie
    assert TOKEN not in cookie
    assert staff_client.get("/staff").status_code == 200
    staff_client.post("/staff/sign-out")
    assert staff_client.get("/staff").status_code == 401


def test_a_forged_or_foreign_cookie_is_refused(staff_client):
    staff_client.set_cookie("staff_session", "InN0YWZmIg.aw7kKA.forgedforgedforgedforged", path="/staff")
    assert staff_client.get("/staff").status_code == 401
    # A cookie signed under another token (a changed token signs everyone out).
    other = _app(STAFF_TOKEN="another-token-another-token").test_client()
    signed = other.post("/staff/sign-in", data={"token": "another-token-another-token"}).headers["Set-Cookie"]
    value = signed.split(";")[0].split("=", 1)[1]
    staff_client.set_cookie("staff_session", value, path="/staff")
    assert staff_client.get("/staff").status_code == 401


def test_sign_in_attempts_are_rate_limited(staff_client):
    codes = [staff_client.post("/staff/sign-in", data={"token": f"guess-{i:020d}"}).status_code for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[-1] == 429


def test_no_public_page_links_to_the_staff_page():
    public = [*(ROOT / "templates").glob("*.html"), *(ROOT / "static").glob("*.js")]
    for path in public:
        if path.name.startswith("staff"):
            continue
        assert "/staff" not in path.read_text(encoding="utf-8"), path.name


def test_reply_kinds_are_counted_per_day_without_any_text(staff_client):
    asked = ["what is adhd", "what is adhd", "i want to end my life", "hello", "how do i fix my car"]
    kinds = [staff_client.post("/api/ask", json={"question": q}).get_json()["kind"] for q in asked]
    page = staff_client.get("/staff", headers=BEARER).get_data(as_text=True)
    row = re.search(r"<tr><td>\d{4}-\d\d-\d\d</td>(.*?)</tr>", page).group(1)
    counts = [int(n) for n in re.findall(r"<td>(\d+)</td>", row)]
    assert counts == [kinds.count(k) for k in ("answer", "clarify", "fallback", "safety", "smalltalk")]
    for question in asked:
        assert question not in page.lower()


def test_feedback_is_counted_per_entry_and_version(staff_client, bot):
    version = staff_client.post("/api/ask", json={"question": "what is adhd"}).get_json()["faq_version"]
    for helpful in (True, True, False):
        response = staff_client.post(
            "/api/feedback", json={"id": "adhd-overview", "helpful": helpful, "faq_version": version}
        )
        assert response.status_code == 200 and response.get_json() == {"recorded": True}
    rows = staff_client.application.extensions["usage"].feedback_by_entry()
    assert rows == [{"id": "adhd-overview", "version": version, "yes": 2, "no": 1}]
    page = staff_client.get("/staff", headers=BEARER).get_data(as_text=True)
    assert re.search(r"<td>adhd-overview</td><td><code>" + version + r"</code></td><td>2</td><td>1</td>", page)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"id": "adhd-overview", "helpful": "yes", "faq_version": "v"}, 400, "invalid_field"),
        ({"id": "adhd-overview", "helpful": 1, "faq_version": "v"}, 400, "invalid_field"),
        ({"id": 3, "helpful": True, "faq_version": "v"}, 400, "invalid_field"),
        ({"id": "adhd-overview", "helpful": True}, 400, "missing_field"),
        ({"id": "adhd-overview", "helpful": True, "faq_version": "v", "text": "it was bad"}, 400, "unknown_field"),
        ({"id": "no-such-entry", "helpful": True, "faq_version": "v"}, 404, "unknown_entry"),
        ({"id": "adhd-overview", "helpful": True, "faq_version": "not-a-version"}, 400, "unknown_version"),
        (["adhd-overview"], 400, "invalid_request"),
    ],
)
def test_bad_feedback_gets_a_clear_json_error_and_is_not_counted(client, body, status, code):
    response = client.post("/api/feedback", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert client.application.extensions["usage"].feedback_by_entry() == []


def test_feedback_is_rate_limited():
    client = create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "FEEDBACK_RATE_LIMIT": "2 per minute"}).test_client()
    version = client.get("/healthz").get_json()["faq_version"]
    body = {"id": "adhd-overview", "helpful": True, "faq_version": version}
    assert [client.post("/api/feedback", json=body).status_code for _ in range(3)] == [200, 200, 429]


@pytest.fixture(scope="module")
def broken_and_stale_faq(tmp_path_factory) -> Path:
    faq = Path(shutil.copytree(FAQ_DIR, tmp_path_factory.mktemp("staff") / "faq"))
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", "2024-01-01")  # withheld
    return faq


def test_the_page_shows_refused_edits_with_file_entry_and_field_and_withheld_entries(broken_and_stale_faq):
    app = _app(FAQ_DIR=str(broken_and_stale_faq))
    live = app.extensions["faq_bot"]
    set_field(broken_and_stale_faq / "basics.yaml", "adhd-overview", "evidence", "very-strong")
    assert live.check() == "refused"
    client = app.test_client()
    public = client.get("/healthz").get_data(as_text=True)
    assert "basics.yaml" not in public and "very-strong" not in public  # details only for staff
    page = client.get("/staff", headers=BEARER).get_data(as_text=True)
    assert "Degraded" in page
    assert re.search(r"<td>basics.yaml</td><td>adhd-overview</td><td>evidence</td><td>[^<]*very-strong", page)
    withheld = r"<td>adhd-causes</td><td>basics.yaml</td><td>2024-01-01</td><td>[\d-]+</td>\s*<td><strong[^>]*>Withheld"
    assert re.search(withheld, page)


# --------------------------------------------------------------------------- the kiosk's QR take-away


def test_qr_codes_are_made_only_for_sources_and_the_booking_page(bot):
    from urllib.parse import quote

    client = create_app(
        {"TESTING": True, "RELOAD_INTERVAL": 0, "CLINIC_BOOKING_URL": "https://riverbend.example/book"}
    ).test_client()
    source = next(s.url for s in bot.kb.sources.values() if s.url.startswith("https://"))
    for url in (source, "https://riverbend.example/book"):
        response = client.get("/api/qr?url=" + quote(url, safe=""))
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert svg.startswith("<svg") and "viewBox" in svg and "<script" not in svg
    for url in ("https://evil.example/", "javascript:alert(1)", "", source + "x"):
        response = client.get("/api/qr?url=" + quote(url, safe=""))
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_url"
    assert client.get("/api/qr").status_code == 404


def test_the_kiosk_page_carries_the_front_desk_line_and_booking_page():
    page = (
        create_app(
            {
                "TESTING": True,
                "RELOAD_INTERVAL": 0,
                "KIOSK_FRONT_DESK": "Tell the desk <now>",
                "CLINIC_BOOKING_URL": "https://riverbend.example/book",
            }
        )
        .test_client()
        .get("/kiosk")
        .get_data(as_text=True)
    )
    assert 'data-front-desk="Tell the desk &lt;now&gt;"' in page
    assert 'data-booking-url="https://riverbend.example/book"' in page
