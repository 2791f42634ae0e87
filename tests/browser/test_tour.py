"""A clinic's widget, lobby kiosk and staff page, toured feature by feature at every size they meet.

The widget at phone and desktop sizes, the kiosk on a portrait and a landscape screen, all
against a server with a clinic's name, phone, booking page and logo set. Every screen is
checked with axe-core (no serious or critical problem) and saved as a screenshot under
test-artifacts/screenshots/tour-*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import CLINIC, STAFF_TOKEN, Pages, Server
from .helpers import NOTE_QUESTIONS, WIDGET, ask, bot_messages, open_widget, question_box, serious_violations

WIDGET_SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
KIOSK_SIZES = {
    "portrait": {"viewport": {"width": 1080, "height": 1920}, "has_touch": True},
    "landscape": {"viewport": {"width": 1920, "height": 1080}, "has_touch": True},
}
CLINIC_NAME = CLINIC["BOT_CLINIC_NAME"]


def _check(page: Page, pages: Pages, screenshot, name: str) -> None:
    """axe-core finds nothing serious on this screen; save it for a person to look at."""
    page.wait_for_timeout(250)  # scrolling and the panel's animation have settled
    screenshot(page, name)
    assert serious_violations(page, pages) == [], name


def _note_question(server: Server) -> str:
    for question in NOTE_QUESTIONS:
        if server.ask(question).get("safety_note"):
            return question
    raise AssertionError("none of the note questions gets a safety note")


@pytest.mark.parametrize("size", WIDGET_SIZES)
def test_widget_tour(size: str, branded_pages: Pages, branded_server: Server, screenshot):
    shot = f"tour-widget-{size}"
    page = branded_pages.open("/", **WIDGET_SIZES[size])
    topics = branded_server.get_json("/api/topics")

    # 1. Opens on a welcome: the draft line, the pinned clinician note, starters, Browse all.
    open_widget(page)
    welcome = page.locator(f"{WIDGET} .welcome")
    expect(welcome.locator(".note.pinned")).to_have_text(topics["clinician_note"])
    starters = welcome.get_by_role("group", name="Try one of these").locator(".chip:not(.browse)")
    expect(starters).to_have_text([s["question"] for s in topics["starters"]][:6])
    expect(page.get_by_role("button", name=f"Contact {CLINIC_NAME}")).to_be_visible()
    _check(page, branded_pages, screenshot, f"{shot}-1-welcome")

    # 2. An answer: summary first, evidence and last reviewed, sources collapsed, no repeated note.
    first = topics["starters"][0]
    starters.first.click()
    reply = bot_messages(page).first
    entry = branded_server.get_json(f"/api/entries/{first['id']}")
    expect(reply.locator(".summary")).to_have_text(entry["summary"])
    expect(reply.locator(".facts .reviewed")).to_have_text(re.compile(r"^Last reviewed: [A-Z][a-z]+ \d{4}$"))
    sources = reply.locator("details.sources")
    expect(sources.locator("summary")).to_have_text(f"Sources ({len(entry['citations'])})")
    expect(sources.locator(".sources-list")).to_be_hidden()
    expect(reply.locator(".note")).to_have_count(0)  # pinned once at the top instead
    _check(page, branded_pages, screenshot, f"{shot}-2-answer")
    sources.locator("summary").click()
    expect(sources.locator(".sources-list a")).to_have_count(len(entry["citations"]))
    _check(page, branded_pages, screenshot, f"{shot}-3-sources")

    # 3. "Was this helpful?" No: thanks, then the clinic's call and booking links.
    reply.get_by_role("group", name="Was this helpful?").get_by_role("button", name="No").click()
    done = reply.locator(".feedback.done")
    expect(done.locator(".handoff a")).to_have_count(2)
    expect(done.locator(".handoff a").first).to_have_attribute("href", "tel:5550100142")
    expect(done.locator(".handoff a").nth(1)).to_have_attribute("href", CLINIC["BOT_CLINIC_BOOKING_URL"])
    _check(page, branded_pages, screenshot, f"{shot}-4-feedback-no")

    # 4. Browse all questions: every topic and its questions.
    page.get_by_role("button", name="Browse all questions").click()
    browse = page.locator(f"{WIDGET} .browse-list")
    expect(browse.locator("h3")).to_have_text([c["title"] for c in topics["categories"]])
    _check(page, branded_pages, screenshot, f"{shot}-5-browse")

    # 5. "Talk to a nurse": the clinic's contact; a fallback offers it too, with "Pick one".
    nurse = ask(page, "can i talk to a nurse")
    expect(nurse.locator(".handoff p").first).to_have_text(f"To talk to someone, contact {CLINIC_NAME}:")
    fallback = ask(page, "how do i fix my car")
    expect(fallback).to_have_class(re.compile("kind-fallback"))
    expect(fallback.locator(".handoff a").first).to_have_attribute("href", "tel:5550100142")
    _check(page, branded_pages, screenshot, f"{shot}-6-handoff")

    # 6. The concern tier: a short help line above a real answer.
    noted = ask(page, _note_question(branded_server))
    expect(noted.locator(".safety-note")).to_be_visible()
    assert noted.locator(".safety-note").evaluate("n => n === n.parentElement.children[1]")  # above the answer
    _check(page, branded_pages, screenshot, f"{shot}-7-safety-note")

    # 7. A crisis: urgent, tap-to-call numbers, the clinician note repeated.
    crisis = ask(page, "i want to kill myself")
    expect(crisis).to_have_class(re.compile("urgent"))
    expect(crisis.locator(".help a").first).to_have_attribute("href", "tel:988")
    expect(crisis.locator(".note")).to_have_count(1)
    _check(page, branded_pages, screenshot, f"{shot}-8-crisis")

    # 8. The text box grows to four lines and counts near the 500-character limit.
    box = question_box(page)
    height = box.evaluate("b => b.getBoundingClientRect().height")
    box.fill("my son is nine and his teacher says he cannot sit still in class. " * 7)
    counter = page.locator(f"{WIDGET} .counter")
    expect(counter).to_be_visible()
    expect(counter).to_have_text(re.compile(r"^\d{3} of 500 characters$"))
    assert box.evaluate("b => b.getBoundingClientRect().height") > height * 2
    _check(page, branded_pages, screenshot, f"{shot}-9-long-question")
    box.fill("")

    # 9. New conversation asks first; Cancel keeps everything.
    page.get_by_role("button", name="New conversation").click()
    confirm = page.get_by_role("group", name="Clear this conversation and start over?")
    expect(confirm).to_be_visible()
    _check(page, branded_pages, screenshot, f"{shot}-10-confirm-new")
    count = bot_messages(page).count()
    confirm.get_by_role("button", name="Cancel").click()
    expect(bot_messages(page)).to_have_count(count)

    # 10. Dark mode follows the system setting.
    page.emulate_media(color_scheme="dark")
    background = page.locator(f"{WIDGET} .panel").evaluate("p => getComputedStyle(p).backgroundColor")
    channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
    assert sum(channels) / 3 < 80, background
    _check(page, branded_pages, screenshot, f"{shot}-11-dark")


@pytest.mark.parametrize("size", KIOSK_SIZES)
def test_kiosk_tour(size: str, branded_pages: Pages, branded_server: Server, screenshot):
    shot = f"tour-kiosk-{size}"
    page = branded_pages.open("", **KIOSK_SIZES[size])
    page.clock.install()
    page.goto("/kiosk?idle=60")
    topics = branded_server.get_json("/api/topics")
    bar = page.locator(".ask-bar")

    def nothing_under_the_bar() -> None:
        main = page.locator("#main").bounding_box()
        assert main["y"] + main["height"] <= bar.bounding_box()["y"] + 1

    # 1. The welcome screen: the clinic's name and logo, one big "Tap to start".
    welcome = page.locator("#welcome")
    expect(welcome.get_by_role("heading")).to_have_text(CLINIC_NAME)
    expect(welcome.locator("img.welcome-logo")).to_have_attribute("src", CLINIC["BOT_CLINIC_LOGO_URL"])
    _check(page, branded_pages, screenshot, f"{shot}-1-welcome")

    # 2. The start screen: the draft line, popular questions, large topic tiles with icons.
    page.get_by_role("button", name="Tap to start").click()
    expect(page.locator("#notice")).to_have_text(topics["notice"])
    expect(page.locator("#popular .question-btn")).to_have_text([s["question"] for s in topics["starters"]][:6])
    tiles = page.locator(".topic-btn")
    expect(tiles).to_have_count(len(topics["categories"]))
    expect(tiles.locator("svg.topic-icon")).to_have_count(len(topics["categories"]))
    assert tiles.first.bounding_box()["height"] >= 88  # large enough to tap without aiming
    nothing_under_the_bar()
    _check(page, branded_pages, screenshot, f"{shot}-2-start")

    # 3. A topic, then an answer: summary, read aloud, sources as text, QR codes (sources and booking).
    tiles.filter(has_text=topics["categories"][0]["title"]).click()
    expect(page.locator("#topic-title")).to_have_text(topics["categories"][0]["title"])
    _check(page, branded_pages, screenshot, f"{shot}-3-topic")
    entry = topics["categories"][0]["entries"][0]
    page.locator("#questions .question-btn").first.click()
    reply = page.locator("#log .reply")
    full = branded_server.get_json(f"/api/entries/{entry['id']}")
    expect(reply.locator(".summary")).to_have_text(full["summary"])
    expect(reply.get_by_role("button", name="Read aloud")).to_be_visible()
    expect(reply.locator(".source-url")).to_have_text([c["url"] for c in full["citations"]])
    qr = reply.locator(".take-away img.qr")
    expect(qr).to_have_count(min(4, len(full["citations"]) + 1))
    expect(qr.last).to_have_attribute("alt", "QR code for: Book an appointment")
    expect(page.locator("a")).to_have_count(0)  # nothing on a lobby screen leads away
    nothing_under_the_bar()
    _check(page, branded_pages, screenshot, f"{shot}-4-answer")
    page.locator("#main").evaluate("m => m.scrollTo(0, m.scrollHeight)")
    expect(page.locator("#more-below")).to_be_hidden()
    _check(page, branded_pages, screenshot, f"{shot}-5-answer-end")

    # 4. A typed question the bot cannot answer: "Try one of these".
    box = page.get_by_label("Or type a question")
    box.fill("how do i fix my car")
    box.press("Enter")
    expect(page.locator("#log .reply")).to_have_class(re.compile("kind-fallback"))
    expect(page.get_by_role("group", name="Try one of these")).to_be_visible()
    _check(page, branded_pages, screenshot, f"{shot}-6-fallback")

    # 5. A crisis: urgent, large numbers, the front-desk line; the question itself is not echoed.
    box.fill("i want to kill myself")
    box.press("Enter")
    crisis = page.locator("#log .reply")
    expect(crisis).to_have_class(re.compile("urgent"))
    expect(crisis.locator(".front-desk")).to_be_visible()
    expect(crisis.locator(".asked")).to_have_count(0)
    _check(page, branded_pages, screenshot, f"{shot}-7-crisis")

    # 6. Idle: the countdown, then the welcome screen again with nothing left on the page.
    page.clock.run_for(50_000)
    expect(page.locator("#idle")).to_be_visible()
    _check(page, branded_pages, screenshot, f"{shot}-8-countdown")
    page.clock.run_for(15_000)
    expect(welcome).to_be_visible()
    expect(page.locator("#log")).to_be_empty()


@pytest.mark.parametrize("size", WIDGET_SIZES)
def test_staff_page_tour(size: str, branded_pages: Pages, branded_server: Server, screenshot):
    shot = f"tour-staff-{size}"
    page = branded_pages.open("/staff", **WIDGET_SIZES[size])

    # 1. Without the token: only the sign-in form; a wrong token is refused in plain words.
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    _check(page, branded_pages, screenshot, f"{shot}-1-sign-in")
    page.get_by_label("Staff token").fill("not-the-token-at-all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()

    # 2. With it: the content in service, refused edits, reviews, drafts, feedback, reply counts.
    page.get_by_label("Staff token").fill(STAFF_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff status")
    health = branded_server.get_json("/healthz")
    expect(page.locator("main")).to_contain_text(health["faq_version"])
    for name in ("Content in service", "Refused edits", "Reviews", "Drafts and sign-off", "Replies per day"):
        expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()
    _check(page, branded_pages, screenshot, f"{shot}-2-status")
