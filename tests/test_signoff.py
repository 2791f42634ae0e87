"""Clinical sign-off (issue 10, section 4): `status: draft | approved`, `reviewed_by`, BOT_SERVE_DRAFTS.

Nothing in the shipped content claims a clinical review: every entry is a draft until a
clinician approves it, and the front ends say so in one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import load_bot
from bot.content import DRAFT_NOTICE
from server import create_app

from .test_loader import add_field, assert_fails, copy_faq, load, set_field


@pytest.fixture()
def faq(tmp_path: Path) -> Path:
    return copy_faq(tmp_path)


def test_the_shipped_content_is_all_draft(bot):
    kb = bot.kb
    assert all(e.status == "draft" and not e.reviewed_by for e in kb.by_id.values())
    assert set(kb.drafts) == set(kb.by_id)
    assert kb.draft_notice == DRAFT_NOTICE


@pytest.mark.parametrize("value", ["reviewed", "Approved", "''", "[draft]"])
def test_an_unknown_status_is_refused(faq, value):
    set_field(faq / "basics.yaml", "adhd-overview", "status", value)
    assert_fails(faq, "basics.yaml", "adhd-overview", "status", "not one of")


def test_a_missing_status_is_refused(faq):
    path = faq / "basics.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("    status: draft\n")
    path.write_text(text[:first] + text[first + len("    status: draft\n") :], encoding="utf-8")
    assert_fails(faq, "basics.yaml", "adhd-overview", "status", "required")


def test_an_approved_entry_names_its_clinician(faq):
    set_field(faq / "basics.yaml", "adhd-overview", "status", "approved")
    assert_fails(faq, "basics.yaml", "adhd-overview", "reviewed_by", "names the clinician")


@pytest.mark.parametrize("value", ["Dr Jones", "'Jane Doe, '", "', MD'"])
def test_reviewed_by_is_a_name_and_a_credential(faq, value):
    set_field(faq / "basics.yaml", "adhd-overview", "status", "approved")
    add_field(faq / "basics.yaml", "adhd-overview", f"    reviewed_by: {value}")
    assert_fails(faq, "basics.yaml", "adhd-overview", "reviewed_by", "credential")


def test_a_draft_cannot_carry_a_sign_off(faq):
    add_field(faq / "basics.yaml", "adhd-overview", "    reviewed_by: Jane Doe, MD")
    assert_fails(faq, "basics.yaml", "adhd-overview", "reviewed_by", "draft")


def test_an_approved_entry_loads_and_the_notice_stays_while_drafts_are_served(faq):
    set_field(faq / "basics.yaml", "adhd-overview", "status", "approved")
    add_field(faq / "basics.yaml", "adhd-overview", "    reviewed_by: Jane Doe, MD")
    kb = load(faq)
    entry = kb.entry("adhd-overview")
    assert entry.status == "approved" and entry.reviewed_by == "Jane Doe, MD"
    assert "adhd-overview" not in kb.drafts
    assert kb.draft_notice == DRAFT_NOTICE  # other served entries are still drafts


def test_with_serve_drafts_off_only_approved_entries_and_safety_replies_are_served(faq):
    set_field(faq / "basics.yaml", "adhd-overview", "status", "approved")
    add_field(faq / "basics.yaml", "adhd-overview", "    reviewed_by: Jane Doe, MD")
    bot = load_bot(faq, serve_drafts=False)
    assert bot.ask("what is adhd").id == "adhd-overview"
    assert bot.ask("what causes adhd").kind == "fallback"  # a draft: not served
    assert bot.ask("i want to kill myself").kind == "safety"  # safety replies always are
    assert bot.kb.draft_notice is None  # every entry in service is approved

    client = create_app(
        {"TESTING": True, "RELOAD_INTERVAL": 0, "FAQ_DIR": str(faq), "SERVE_DRAFTS": False}
    ).test_client()
    topics = client.get("/api/topics").get_json()
    listed = [e["id"] for c in topics["categories"] for e in c["entries"]]
    assert listed == ["adhd-overview"] and topics["notice"] is None


def test_topics_carry_the_starters_clinic_note_and_draft_notice(client, bot):
    topics = client.get("/api/topics").get_json()
    assert [s["id"] for s in topics["starters"]] == list(bot.kb.messages.fallback_suggestions)
    assert topics["clinic"] == {"name": "", "phone": "", "booking_url": ""}
    assert topics["clinician_note"] == bot.kb.messages.clinician_note
    assert topics["notice"] == DRAFT_NOTICE


def test_starters_and_clinic_come_from_the_settings():
    config = {
        "TESTING": True,
        "RELOAD_INTERVAL": 0,
        "STARTERS": "ketamine-for-adhd, adhd-overview,no-such-entry",
        "CLINIC_NAME": "Riverbend Family Clinic",
        "CLINIC_PHONE": "(555) 010-0199",
        "CLINIC_BOOKING_URL": "https://riverbend.example/book",
    }
    topics = create_app(config).test_client().get("/api/topics").get_json()
    assert [s["id"] for s in topics["starters"]] == ["ketamine-for-adhd", "adhd-overview"]
    assert topics["clinic"] == {
        "name": "Riverbend Family Clinic",
        "phone": "(555) 010-0199",
        "booking_url": "https://riverbend.example/book",
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CLINIC_PHONE", "call us!"),
        ("CLINIC_PHONE", "555<script>"),
        ("CLINIC_BOOKING_URL", "http://riverbend.example/book"),
        ("CLINIC_BOOKING_URL", "javascript:alert(1)"),
        ("CLINIC_BOOKING_URL", 'https://x.example/"onmouseover'),
    ],
)
def test_bad_clinic_settings_stop_the_start_with_a_clear_message(name, value):
    with pytest.raises(ValueError, match=f"BOT_{name}"):
        create_app({"TESTING": True, "RELOAD_INTERVAL": 0, name: value})


def test_the_handoff_goes_with_replies_that_cannot_answer(bot):
    assert bot.ask("can i talk to a nurse").handoff is True
    assert bot.ask("how do i fix my car").handoff is True
    answer = bot.ask("what is adhd")
    assert answer.handoff is False and answer.reviewed == bot.kb.entry("adhd-overview").reviewed.isoformat()
    assert bot.ask("hello").handoff is False
    assert bot.ask("i want to kill myself").handoff is False


def test_review_writes_a_printable_checklist_of_the_drafts_and_entries_due(bot, tmp_path):
    from bot.cli import main
    from bot.review import entries_to_review, review_html

    rows = entries_to_review(bot.kb)
    assert {e.id for e, _, _ in rows} == set(bot.kb.drafts)  # today: every entry is a draft
    page = review_html(bot.kb)
    assert page.count('<section class="entry">') == len(rows)
    entry = bot.kb.entry("ketamine-for-adhd")
    for text in (entry.question, entry.summary, "Clinician (name, credential)", "Signature", "status: approved"):
        assert text.replace("'", "&#x27;").replace('"', "&quot;") in page
    source = bot.kb.sources[entry.citations[0]]
    assert f'<a href="{source.url}">' in page
    assert "<script" not in page

    out = tmp_path / "review.html"
    assert main(["review", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == page


def test_review_lists_only_entries_that_need_it(faq):
    from bot.review import entries_to_review

    for path in faq.glob("*.yaml"):  # approve everything...
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("    status: draft\n", "    status: approved\n    reviewed_by: Jane Doe, MD\n"))
    import datetime as dt

    eleven_months_ago = (dt.date.today() - dt.timedelta(days=335)).isoformat()
    set_field(faq / "basics.yaml", "adhd-causes", "reviewed", eleven_months_ago)  # ...but one falls due soon
    kb = load(faq)
    rows = entries_to_review(kb)
    assert [(e.id, why) for e, _, why in rows] == [("adhd-causes", "review due within 60 days")]
    assert len(entries_to_review(kb, every=True)) == len(kb.by_id)
