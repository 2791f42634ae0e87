"""The chat widget in a real browser: embedded on the demo clinic pages (and on test host pages)."""

from __future__ import annotations

import re
from contextlib import suppress
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Route, expect

from .conftest import ROOT, HostSite, Pages, Server
from .helpers import (
    PAGE_CSP,
    WIDGET,
    a_question_that_clarifies,
    a_question_with_a_note,
    active_in_widget,
    ask,
    bot_messages,
    host_page,
    launcher,
    open_widget,
    panel,
    question_box,
    serious_violations,
    settle,
)

SIZE_LIMIT = 45 * 1024  # unminified, or
GZIP_LIMIT = 20 * 1024  # gzipped (issue 12: "45 KB unminified (or 20 KB gzipped)")
STORAGE_KEY_PREFIX = "adhd-faq-widget:"


def test_widget_js_and_css_are_at_most_45_kb_or_20_kb_gzipped():
    import gzip

    files = [(ROOT / "static" / name).read_bytes() for name in ("widget.js", "widget.css")]
    size = sum(len(b) for b in files)
    zipped = sum(len(gzip.compress(b, 9)) for b in files)
    assert size <= SIZE_LIMIT or zipped <= GZIP_LIMIT, f"widget.js + widget.css: {size} bytes, {zipped} gzipped"


def test_embed_on_demo_page_and_ask(page: Page, server: Server, screenshot):
    page.goto("/")
    button = launcher(page)
    expect(button).to_have_accessible_name("Open chat: ADHD questions")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(panel(page)).to_be_hidden()

    open_widget(page)
    expect(button).to_have_attribute("aria-expanded", "true")
    dialog = page.get_by_role("dialog", name="ADHD questions")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    log = page.locator(f"{WIDGET} .log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")

    reply = ask(page, "what is adhd")
    expected = server.ask("what is adhd")
    assert expected["kind"] == "answer"
    # Everything shown as the answer is the API's text, word for word.
    expect(reply.locator(".matched")).to_have_text(expected["question"])
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    expect(reply.locator(".summary")).to_have_text(expected["summary"])  # the summary first
    assert reply.evaluate("m => m.querySelector('.summary').nextElementSibling.className") == "answer"
    # The clinician note is pinned once at the top, not repeated under every answer.
    expect(page.locator(f"{WIDGET} .intro .note.pinned")).to_have_text(expected["clinician_note"])
    expect(reply.locator(".note")).to_have_count(0)
    expect(reply.locator(".evidence")).to_have_text("Strong evidence")
    expect(reply.locator(".reviewed")).to_have_text(re.compile(r"^Last reviewed: [A-Z][a-z]+ \d{4}$"))
    # Sources are collapsed behind "Sources (n)".
    summary = reply.locator("details.sources summary")
    expect(summary).to_have_text(f"Sources ({len(expected['citations'])})")
    links = reply.locator(".sources a")
    expect(links.first).to_be_hidden()
    summary.click()
    expect(links.first).to_be_visible()
    expect(links).to_have_count(len(expected["citations"]))
    for i, citation in enumerate(expected["citations"]):
        link = links.nth(i)
        assert link.get_attribute("href") == citation["url"]
        assert link.get_attribute("target") == "_blank"
        assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
        expect(link).to_contain_text(citation["title"])
    related = reply.locator(".related button")
    expect(related).to_have_text([s["question"] for s in expected["suggestions"]])
    page.wait_for_timeout(400)  # let the smooth scroll settle for the screenshot
    screenshot(page, "desktop-widget")


def test_host_page_css_does_not_reach_the_widget_and_back(page: Page):
    page.goto("/test/hostile")
    open_widget(page)
    ask(page, "what is adhd")
    style = page.evaluate(
        """() => {
            const root = document.querySelector('adhd-faq-widget').shadowRoot;
            const css = (el) => getComputedStyle(el);
            const send = css(root.querySelector('.send'));
            const answer = css(root.querySelector('.answer'));
            const icon = root.querySelector('.head-btn.close svg').getBoundingClientRect();
            const pageButton = css(document.querySelector('.cta'));
            const pageCard = css(document.querySelector('main .panel'));
            return {
                sendBg: send.backgroundColor, sendTransform: send.textTransform, sendBorder: send.borderTopStyle,
                answerFont: answer.fontFamily, answerColor: answer.color, iconWidth: icon.width,
                logDisplay: css(root.querySelector('.log')).borderTopWidth,
                pageButtonBg: pageButton.backgroundColor, pageFont: css(document.body).fontFamily,
                pageCardPosition: pageCard.position,
            };
        }"""
    )
    # The host page really is aggressive...
    assert style["pageButtonBg"] == "rgb(255, 214, 236)"
    assert "Georgia" in style["pageFont"]
    # ...and none of it reaches inside the widget,
    assert style["sendBg"] == "rgb(21, 94, 117)"  # data-accent="#155e75"
    assert style["sendTransform"] == "none" and style["sendBorder"] != "dashed"
    assert "Georgia" not in style["answerFont"] and "serif" != style["answerFont"]
    assert style["answerColor"] == "rgb(31, 41, 51)"
    assert style["iconWidth"] == 24  # the page says svg { width: 300px !important }
    assert style["logDisplay"] == "0px"  # the page gives [role=log] an 8px pink border
    # ...while the widget's own classes (.panel) do not leak out to the page.
    assert style["pageCardPosition"] == "static"


def test_each_message_is_added_to_the_live_log_once(page: Page):
    page.goto("/")
    open_widget(page)
    page.evaluate(
        """() => {
            const log = document.querySelector('adhd-faq-widget').shadowRoot.querySelector('.log');
            window.__logChanges = [];
            new MutationObserver((records) => {
                for (const r of records) {
                    window.__logChanges.push(r.target === log && r.type === 'childList'
                        ? `add:${r.addedNodes.length} remove:${r.removedNodes.length}` : `inner:${r.type}`);
                }
            }).observe(log, { childList: true, subtree: true, characterData: true, attributes: true });
        }"""
    )
    ask(page, "how is adhd diagnosed")
    page.wait_for_timeout(300)
    # The question and the reply each arrive whole, in one addition: announced once each.
    assert page.evaluate("window.__logChanges") == ["add:1 remove:0", "add:1 remove:0"]


def _ask_for_choices(page: Page, server: Server, question: str, kind: str) -> tuple[Locator, dict]:
    """Ask in the widget; check the reply's text, note and choices; return the choices and the API's reply."""
    expected = server.ask(question)
    assert expected["kind"] == kind and expected["suggestions"], expected["kind"]
    page.goto("/")
    open_widget(page)
    reply = ask(page, question)
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    if kind in ("clarify", "fallback"):  # a reply that cannot answer offers the clinic
        expect(reply.locator(".handoff")).to_have_text("For anything else, please talk to your doctor or clinic.")
    choices = reply.get_by_role("group", name="Pick one").get_by_role("button")
    expect(choices).to_have_text([s["question"] for s in expected["suggestions"]])
    return choices, expected


def test_clarify_then_click_a_suggestion(page: Page, server: Server):
    question, _ = a_question_that_clarifies(server)
    choices, expected = _ask_for_choices(page, server, question, "clarify")

    first = expected["suggestions"][0]
    with page.expect_request(f"**/api/entries/{first['id']}"):
        choices.first.click()
    expect(bot_messages(page)).to_have_count(2)
    answer = bot_messages(page).nth(1)
    entry = server.get_json(f"/api/entries/{first['id']}")
    expect(answer.locator(".matched")).to_have_text(first["question"])
    expect(answer.locator(".answer")).to_have_text(entry["answer"])
    expect(page.locator(f"{WIDGET} .msg.user").nth(1)).to_contain_text(first["question"])

    # An answer's related questions fetch their entry the same way.
    related = entry["suggestions"][0]
    with page.expect_request(f"**/api/entries/{related['id']}"):
        answer.locator(".related button").first.click()
    expect(bot_messages(page).nth(2).locator(".matched")).to_have_text(related["question"])


def test_crisis_reply_is_distinct_with_call_and_text_links(page: Page, server: Server, screenshot):
    page.goto("/")
    open_widget(page)
    ask(page, "what is adhd")
    reply = ask(page, "i want to kill myself")
    expected = server.ask("i want to kill myself")
    assert expected["id"] == "safety-crisis"
    expect(reply).to_have_class("msg bot kind-safety urgent")
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    expect(reply.locator(".note")).to_have_text(expected["clinician_note"])
    expect_action_links(reply.locator(".help"), expected["actions"])
    assert {"tel:988", "sms:988"} <= {a["href"] for a in expected["actions"]}
    # Visibly different from an ordinary answer.
    colours = page.evaluate(
        """() => [...document.querySelector('adhd-faq-widget').shadowRoot.querySelectorAll('.msg.bot')]
            .map((m) => getComputedStyle(m).borderTopColor)"""
    )
    assert colours[0] != colours[1] and colours[1] == "rgb(179, 38, 30)"
    page.wait_for_timeout(400)
    screenshot(page, "crisis-reply")

    emergency = ask(page, "overdosed on my pills")
    expect(emergency).to_have_class("msg bot kind-safety urgent")
    expect_action_links(emergency.locator(".help"), server.ask("overdosed on my pills")["actions"])
    # A long number is also shown in a form to read (the label need not carry it).
    expect(emergency.locator('a[href="tel:18002221222"] .call-sub')).to_have_text("1-800-222-1222")

    dosing = ask(page, "how much adderall should i take")
    expect(dosing).to_have_class("msg bot kind-safety caution")
    expect_action_links(dosing.locator(".help"), server.ask("how much adderall should i take")["actions"])


def expect_action_links(links_in: Locator, actions: list[dict]) -> None:
    """Expect one link per action, in order: the action's href, its label as the link's first line."""
    assert actions, "the reply has no actions to show"
    links = links_in.locator("a")
    expect(links).to_have_count(len(actions))
    for link, action in zip(links.all(), actions, strict=True):
        assert link.get_attribute("href") == action["href"]
        expect(link.locator(".call-main")).to_have_text(action["label"])
        if action["href"].startswith("https:"):
            assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}


def test_safety_note_is_shown_above_the_answer_with_its_actions(pages: Pages, server: Server, screenshot):
    question, expected = a_question_with_a_note(server)
    note = expected["safety_note"]
    assert expected["kind"] != "safety" and note["actions"]
    page = pages.open("/")
    open_widget(page)
    reply = ask(page, question)
    shown = reply.get_by_role("note")
    expect(shown).to_have_count(1)
    expect(shown.locator("p")).to_have_text(note["text"])
    expect_action_links(shown, note["actions"])
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    # Above the answer: before it in reading order and on screen.
    order = reply.evaluate("m => [...m.children].map((c) => c.className || c.getAttribute('role'))")
    assert order.index("safety-note") < order.index("answer"), order
    # Both boxes in one frame: the log may still be scrolling, so separate reads can disagree.
    note_bottom, answer_top = reply.evaluate(
        """m => [m.querySelector('[role="note"]').getBoundingClientRect().bottom,
                 m.querySelector('.answer').getBoundingClientRect().top]"""
    )
    assert note_bottom <= answer_top + 0.5, (note_bottom, answer_top)
    # Calm (not the crisis red), but visible: a border of its own.
    expect(reply).not_to_have_class("urgent")
    style = shown.evaluate("el => ({w: getComputedStyle(el).borderTopWidth, c: getComputedStyle(el).borderTopColor})")
    assert style["w"] != "0px" and style["c"] != "rgb(179, 38, 30)"
    page.wait_for_timeout(400)
    screenshot(page, "widget-safety-note")
    assert serious_violations(page, pages) == []

    # Kept across pages with the rest of the conversation.
    page.get_by_role("link", name="Plan your visit").click()
    open_widget(page)
    expect(bot_messages(page).first.get_by_role("note").locator("p")).to_have_text(note["text"])


def test_safety_reply_shows_the_actions_it_carries(page: Page, server: Server):
    question = "my son said he wants to kill himself"
    expected = server.ask(question)
    assert expected["id"] == "safety-crisis-other"
    assert {a["label"] for a in expected["actions"]} >= {"Call 988", "Text 988", "Call 911"}
    page.goto("/")
    open_widget(page)
    reply = ask(page, question)
    expect(reply).to_have_class("msg bot kind-safety urgent")
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    expect_action_links(reply.locator(".help"), expected["actions"])


def test_actions_are_refused_unless_tel_sms_or_https(page: Page):
    """Only tel:, sms: and https: become links; a Spanish dosing reply is calm and marked as Spanish."""
    fake = {
        "kind": "safety",
        "id": "safety-dosing-es",
        "question": None,
        "answer": "No puedo dar dosis.",
        "citations": [],
        "clinician_note": "Hable con quien le receta.",
        "evidence": None,
        "suggestions": [],
        "score": 1.0,
        "faq_version": "x",
        "safety_note": None,
        "actions": [
            {"label": "Script", "href": "javascript:alert(1)"},
            {"label": "Plain web", "href": "http://example.org/"},
            {"label": "Data", "href": "data:text/html,<b>x</b>"},
            {"label": "Call with extra", "href": "tel:988;ext=<b>"},
            {"label": "", "href": "tel:911"},
            {"label": "Llamar", "href": "tel:18002221222"},
            {"label": "Chat", "href": "https://988lifeline.org/chat"},
        ],
    }
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("**/api/ask", lambda route: route.fulfill(json=fake))
    page.goto("/")
    open_widget(page)
    reply = ask(page, "anything")
    expect(reply).to_have_class("msg bot kind-safety caution")
    expect(reply).to_have_attribute("lang", "es")
    links = reply.locator(".help a")
    expect(links).to_have_count(2)
    assert [link.get_attribute("href") for link in links.all()] == ["tel:18002221222", "https://988lifeline.org/chat"]
    assert links.nth(1).get_attribute("target") == "_blank"
    expect(page.locator(f"{WIDGET} b")).to_have_count(0)
    assert dialogs == []


def test_spanish_replies_are_marked_as_spanish(page: Page, server: Server):
    page.goto("/")
    open_widget(page)
    english = ask(page, "what is adhd")
    assert english.get_attribute("lang") is None
    crisis = ask(page, "quiero matarme")
    expected = server.ask("quiero matarme")
    assert expected["id"].endswith("-es")
    expect(crisis).to_have_attribute("lang", "es")
    expect(crisis).to_have_class("msg bot kind-safety urgent")
    expect_action_links(crisis.locator(".help"), expected["actions"])
    fallback = ask(page, "que es el tdah")
    assert server.ask("que es el tdah")["answer"].startswith("Por ahora")
    expect(fallback).to_have_attribute("lang", "es")
    # The widget's own English words in it, and the English topics offered, say they are English.
    expect(fallback.locator(".choices")).to_have_attribute("lang", "en")


def test_busy_server_shows_the_help_lines(pages: Pages, limited_server: Server, screenshot):
    expected = limited_server.refused("what is adhd")["resources"]
    page = pages.open(limited_server.url + "/")
    open_widget(page)
    question_box(page).fill("what is adhd")
    question_box(page).press("Enter")
    error = page.locator(f"{WIDGET} .msg.error")
    expect(error).to_contain_text("Lots of questions are coming in right now")
    items = error.locator(".resources li")
    expect(items).to_have_count(len(expected))
    for item, resource in zip(items.all(), expected, strict=True):
        expect(item.locator("p")).to_have_text(resource["text"])
        link = item.locator("a")
        assert link.get_attribute("href") == resource["href"]
        expect(link.locator(".call-main")).to_have_text(resource["label"])
    expect(error.get_by_role("button", name="Try again")).to_be_visible()
    page.wait_for_timeout(400)
    screenshot(page, "widget-rate-limited")
    page.locator(f"{WIDGET} .log").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    screenshot(page, "widget-rate-limited-end")
    assert serious_violations(page, pages) == []

    # A message that needs the crisis reply is still answered past the limit.
    reply = ask(page, "i want to kill myself")
    expect(reply).to_have_class("msg bot kind-safety urgent")
    expect(reply.locator(".help a").first).to_have_attribute("href", "tel:988")


def test_no_help_numbers_are_hard_coded_in_the_front_ends():
    """The vetted content owns the numbers (a reply's actions, a 429's resources), not the scripts."""
    for name in ("widget.js", "kiosk.js", "src/widget.js", "src/kiosk.js", "src/shared.js"):
        code = (ROOT / "static" / name).read_text()
        for number in ("988", "911", "18002221222", "222-1222", "4224453", "7997233", "88788"):
            assert number not in code, f"{name} has {number!r}"


def test_xss_question_is_shown_as_text_and_runs_nothing(page: Page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/")
    open_widget(page)
    text = "<img src=x onerror=alert(1)>"
    reply = ask(page, text)
    expect(page.locator(f"{WIDGET} .msg.user .text")).to_have_text(text)
    expect(reply).to_have_class("msg bot kind-fallback")
    expect(page.locator(f"{WIDGET} img")).to_have_count(0)
    assert dialogs == []


def test_markup_from_the_api_is_never_run(page: Page):
    """Even a compromised API reply is shown as text, and a javascript: source is not a link."""
    evil = "<img src=x onerror=alert(1)><b>bold</b>"
    fake = {
        "kind": "answer",
        "id": "x",
        "question": evil,
        "answer": evil,
        "citations": [{"title": evil, "publisher": evil, "year": 2024, "url": "javascript:alert(1)"}],
        "clinician_note": evil,
        "evidence": "established",
        "suggestions": [{"id": "x", "question": evil}],
        "score": 1.0,
        "faq_version": "x",
        "reviewed": evil,
        "handoff": True,
    }
    topics = {
        "faq_version": "x",
        "categories": [{"id": "x", "title": evil, "entries": [{"id": "x", "question": evil}]}],
        "starters": [{"id": "x", "question": evil}],
        "clinic": {"name": evil, "phone": evil, "booking_url": "javascript:alert(1)"},
        "clinician_note": evil,
        "notice": evil,
    }
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("**/api/ask", lambda route: route.fulfill(json=fake))
    page.route("**/api/topics", lambda route: route.fulfill(json=topics))
    page.goto("/")
    open_widget(page)
    expect(page.locator(f"{WIDGET} .intro .note.pinned")).to_have_text(evil)
    expect(page.locator(f"{WIDGET} .intro .draft")).to_have_text(evil)
    expect(page.locator(f"{WIDGET} .starters .chip").first).to_have_text(evil)
    reply = ask(page, "anything")
    expect(reply.locator(".answer")).to_have_text(evil)
    expect(reply.locator(".reviewed")).to_have_count(0)  # not a date: not shown
    # A bad phone number and a javascript: booking link are not links; the name is text.
    expect(reply.locator(".handoff")).to_have_text(f"To talk to someone, contact {evil}.")
    expect(reply.locator(".handoff a")).to_have_count(0)
    expect(page.locator(f"{WIDGET} img, {WIDGET} b")).to_have_count(0)
    expect(reply.locator(".sources a")).to_have_count(0)
    expect(reply.locator(".sources li")).to_contain_text(evil)
    assert dialogs == []


def test_keyboard_only_from_launcher_to_answer_and_back(page: Page):
    page.goto("/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if active_in_widget(page)["cls"] == "launcher":
            break
    else:
        raise AssertionError("Tab never reached the launcher")
    # Visible focus: a ring around the launcher.
    ring = launcher(page).evaluate("el => getComputedStyle(el).boxShadow")
    assert "255, 255, 255" in ring and "17, 17, 17" in ring

    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()
    assert active_in_widget(page)["id"] == "q"  # focus moved into the dialog, to the text box
    page.keyboard.type("what are the types of adhd")
    page.keyboard.press("Enter")
    expect(bot_messages(page)).to_have_count(1)
    expect(bot_messages(page).first.locator(".matched")).to_have_text("What are the types of ADHD?")

    # Focus stays in the open panel, forwards and backwards.
    seen = set()
    for key in ["Tab"] * 14 + ["Shift+Tab"] * 14:
        page.keyboard.press(key)
        where = active_in_widget(page)
        assert where["inWidget"] and where["inPanel"], f"focus left the panel after {key}: {where}"
        seen.add(where["cls"])
    assert {"chip", "send", "input", "head-btn close"} <= seen

    # A related question works from the keyboard too.
    for _ in range(20):
        if active_in_widget(page)["cls"] == "chip":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(bot_messages(page)).to_have_count(2)

    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    assert active_in_widget(page)["cls"] == "launcher"


def test_escape_closes_and_focus_returns_to_the_launcher(page: Page):
    page.goto("/")
    open_widget(page)
    page.locator(f"{WIDGET} .head-btn.new").focus()
    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    assert active_in_widget(page)["cls"] == "launcher"
    # The close button does the same.
    open_widget(page)
    page.get_by_role("button", name="Close chat").click()
    expect(panel(page)).to_be_hidden()
    assert active_in_widget(page)["cls"] == "launcher"


def test_mobile_layout(pages: Pages, screenshot):
    page = pages.open("/", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    button = launcher(page)
    box = button.bounding_box()
    # Closed: a small round button in the corner that covers nothing important.
    assert box["width"] <= 64 and box["height"] <= 64
    assert box["x"] + box["width"] >= 390 - 24 and box["y"] + box["height"] >= 844 - 24
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    footer = page.locator(".site-footer p").last.bounding_box()
    box = button.bounding_box()
    assert footer["y"] + footer["height"] <= box["y"] or footer["x"] + footer["width"] <= box["x"]

    button.tap()
    expect(panel(page)).to_be_visible()
    settle(page)
    full = panel(page).bounding_box()
    assert (full["x"], full["y"], full["width"], full["height"]) == (0, 0, 390, 844)
    ask(page, "what are the signs of adhd in adults")
    page.wait_for_timeout(400)
    screenshot(page, "mobile-widget")

    # The on-screen keyboard shrinks the visible area: the text box must stay in view.
    page.set_viewport_size({"width": 390, "height": 480})
    page.wait_for_timeout(200)
    field = question_box(page).bounding_box()
    assert field["y"] >= 0 and field["y"] + field["height"] <= 480
    assert panel(page).bounding_box()["height"] <= 480


def test_conversation_survives_pages_and_new_conversation_clears_it(page: Page):
    page.goto("/")
    open_widget(page)
    reply = ask(page, "what is adhd")
    answer = reply.locator(".answer").inner_text()

    page.get_by_role("link", name="Plan your visit").click()
    expect(page).to_have_url("/visit")
    open_widget(page)
    expect(page.locator(f"{WIDGET} .msg.user .text")).to_have_text(["what is adhd"])
    expect(bot_messages(page).first.locator(".answer")).to_have_text(answer)

    storage = page.evaluate(
        "() => ({session: Object.keys(sessionStorage), local: localStorage.length, cookie: document.cookie})"
    )
    assert len(storage["session"]) == 1 and storage["session"][0].startswith(STORAGE_KEY_PREFIX)
    assert storage["local"] == 0 and storage["cookie"] == ""
    assert page.context.cookies() == []

    page.get_by_role("button", name="New conversation").click()
    # It asks first: Cancel keeps the conversation, "Yes, start over" clears it.
    confirm = page.get_by_role("group", name="Clear this conversation and start over?")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Yes, start over")).to_be_focused()
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(bot_messages(page)).to_have_count(1)
    page.get_by_role("button", name="New conversation").click()
    confirm.get_by_role("button", name="Yes, start over").click()
    expect(bot_messages(page)).to_have_count(0)
    expect(page.locator(f"{WIDGET} .msg")).to_have_count(0)
    assert page.evaluate("sessionStorage.length") == 0
    page.get_by_role("link", name="Back to the home page").click()
    expect(page).to_have_url("/")
    open_widget(page)
    expect(page.locator(f"{WIDGET} .msg")).to_have_count(0)


def test_failed_request_shows_a_calm_message_and_retry(page: Page, server: Server):
    page.route("**/api/ask", lambda route: route.abort())
    page.goto("/")
    open_widget(page)
    question_box(page).fill("what is adhd")
    question_box(page).press("Enter")
    error = page.locator(f"{WIDGET} .msg.error")
    expect(error).to_contain_text("couldn't get an answer")
    page.unroute("**/api/ask")
    page.get_by_role("button", name="Try again").click()
    expect(error).to_have_count(0)
    expect(bot_messages(page).first.locator(".answer")).to_have_text(server.ask("what is adhd")["answer"])
    expect(page.locator(f"{WIDGET} .msg.user")).to_have_count(1)  # the question is not repeated


def _serve(page: Page, url: str, html: str) -> None:
    """Answer requests for url with html (a same-origin host page the test makes up)."""
    headers = {"Content-Security-Policy": PAGE_CSP}
    page.route(url, lambda route: route.fulfill(content_type="text/html", body=html, headers=headers))


def test_data_options_title_accent_position_open_and_timeout(page: Page, server: Server):
    tag = (
        '<script src="/widget.js" defer data-title="Clinic helper" data-accent="#ffcc00" '
        'data-position="left" data-open data-timeout="1"></script>'
    )
    _serve(page, "**/test-host", host_page("<h1>Host</h1>" + tag))
    held: list[Route] = []
    page.route("**/api/ask", lambda route: held.append(route))  # never answered: a slow server
    page.goto("/test-host")
    expect(panel(page)).to_be_visible()  # data-open
    expect(page.get_by_role("dialog", name="Clinic helper")).to_be_visible()
    assert panel(page).bounding_box()["x"] < 40  # data-position="left"
    head = page.locator(f"{WIDGET} .head")
    assert head.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 204, 0)"
    assert head.evaluate("el => getComputedStyle(el).color") == "rgb(17, 17, 17)"  # dark text on a light accent

    question_box(page).fill("what is adhd")
    question_box(page).press("Enter")
    expect(page.locator(f"{WIDGET} [role=status]")).to_contain_text("Finding an answer")
    expect(page.locator(f"{WIDGET} .msg.error")).to_contain_text("taking too long")  # data-timeout="1"
    page.unroute("**/api/ask")
    for route in held:
        with suppress(PlaywrightError):
            route.abort()  # long given up by the widget; release it
    page.get_by_role("button", name="Try again").click()
    expect(bot_messages(page).first.locator(".matched")).to_have_text("What is ADHD?")


def test_embed_on_another_origin_with_the_scripts_origin_or_data_api(page: Page, server: Server, host_site: HostSite):
    api = server.url
    csp = PAGE_CSP.replace("'self'", f"'self' {api}")
    # A clinic site on another origin loads widget.js from the bot's server: questions go there (CORS).
    url = host_site.add("/clinic", host_page(f'<h1>Clinic</h1><script src="{api}/widget.js" defer></script>'), csp)
    page.goto(url)
    open_widget(page)
    with page.expect_request(f"{api}/api/ask") as request:
        reply = ask(page, "what is adhd")
    assert request.value.all_headers().get("origin") == host_site.url
    expect(reply.locator(".matched")).to_have_text("What is ADHD?")

    # A site that hosts its own copy of widget.js points it at the bot with data-api.
    tag = f'<script src="/widget.js" defer data-api="{api}"></script>'
    page.goto(host_site.add("/self-hosted", host_page("<h1>Clinic</h1>" + tag), csp))
    open_widget(page)
    with page.expect_request(f"{api}/api/ask"):
        reply = ask(page, "what is adhd")
    expect(reply.locator(".matched")).to_have_text("What is ADHD?")
    css = page.evaluate("document.querySelector('adhd-faq-widget').shadowRoot.querySelector('link').href")
    assert css == host_site.url + "/widget.css"  # the styles come from next to the script


def test_reduced_motion_is_respected(pages: Pages):
    still = pages.open("/", reduced_motion="reduce")
    open_widget(still)
    assert panel(still).evaluate("el => getComputedStyle(el).animationName") == "none"
    moving = pages.open("/", reduced_motion="no-preference")
    open_widget(moving)
    assert panel(moving).evaluate("el => getComputedStyle(el).animationName") == "rise"


def test_no_request_to_any_other_origin(pages: Pages, server: Server):
    page = pages.open("/")
    open_widget(page)
    ask(page, "is it adhd")  # a reply with choices (the fallback offers entries)
    bot_messages(page).first.locator(".choices button").first.click()
    expect(bot_messages(page)).to_have_count(2)
    ask(page, "i want to kill myself")
    page.get_by_role("link", name="Plan your visit").click()
    open_widget(page)
    page.goto("/kiosk")
    page.get_by_role("button", name="Tap to start").click()
    page.locator(".topic-btn").first.click()
    page.locator("#questions .question-btn").first.click()
    expect(page.locator("#log .reply")).to_be_visible()
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in pages.requests if not u.startswith("data:")}
    assert origins == {server.url}, sorted(pages.requests)


def test_axe_finds_no_serious_problem_on_the_demo_page_with_the_widget_open(pages: Pages):
    page = pages.open("/")
    open_widget(page)
    ask(page, "what is adhd")
    ask(page, "is it adhd")
    ask(page, "i want to kill myself")
    assert serious_violations(page, pages) == []


def test_widget_code_never_parses_markup_or_stores_outside_the_session():
    # The bundle that is served, and the sources it is built from (static/src, make build).
    files = ("widget.js", "src/widget.js", "src/shared.js")
    code = "\n".join((ROOT / "static" / name).read_text() for name in files)
    for banned in (".innerHTML", ".outerHTML", "insertAdjacentHTML", "eval(", "new Function", "document.write"):
        assert banned not in code, banned
    assert "localStorage." not in code and "document.cookie" not in code
    css = (ROOT / "static" / "widget.css").read_text()
    assert "@import" not in css and "url(" not in css  # nothing else to fetch


def test_hello_gets_the_welcome_and_topics_to_pick(page: Page, server: Server):
    _ask_for_choices(page, server, "hello", "smalltalk")


# ---------------------------------------------------------------- issue 12: the widget a clinic puts on its site


def test_the_widget_opens_with_a_welcome_starters_and_browse_all(page: Page, server: Server, pages: Pages, screenshot):
    page.goto("/")
    open_widget(page)
    topics = server.get_json("/api/topics")
    welcome = page.locator(f"{WIDGET} .welcome")
    expect(welcome.locator(".draft")).to_have_text(topics["notice"])  # shipped content is all draft
    starters = welcome.get_by_role("group", name="Try one of these").locator(".chip:not(.browse)")
    expect(starters).to_have_text([s["question"] for s in topics["starters"]][:6])
    assert 4 <= starters.count() <= 6
    page.wait_for_timeout(300)
    screenshot(page, "desktop-widget-welcome")
    assert serious_violations(page, pages) == []

    first = topics["starters"][0]
    with page.expect_request(f"**/api/entries/{first['id']}"):
        starters.first.click()
    expect(bot_messages(page).first.locator(".matched")).to_have_text(first["question"])

    page.get_by_role("button", name="Browse all questions").click()
    browse = page.locator(f"{WIDGET} .browse-list")
    expect(browse.locator("h3")).to_have_text([c["title"] for c in topics["categories"]])
    every = [e["question"] for c in topics["categories"] for e in c["entries"]]
    expect(browse.locator(".chip")).to_have_text(every)
    last = topics["categories"][-1]["entries"][-1]
    with page.expect_request(f"**/api/entries/{last['id']}"):
        browse.locator(".chip").last.click()
    expect(bot_messages(page).last.locator(".matched")).to_have_text(last["question"])


def test_data_starters_and_clinic_settings_on_the_script_tag(page: Page, server: Server):
    tag = (
        '<script src="/widget.js" defer data-starters="ketamine-for-adhd, adhd-overview, nope" '
        'data-clinic-name="Riverbend Family Clinic" data-clinic-phone="(555) 010-0199" '
        'data-clinic-booking="https://riverbend.example/book"></script>'
    )
    _serve(page, "**/test-host", host_page("<h1>Host</h1>" + tag))
    page.goto("/test-host")
    open_widget(page)
    by_id = {e["id"]: e["question"] for c in server.get_json("/api/topics")["categories"] for e in c["entries"]}
    expect(page.locator(f"{WIDGET} .starters .chip:not(.browse)")).to_have_text(
        [by_id["ketamine-for-adhd"], by_id["adhd-overview"]]  # an unknown id is left out
    )

    contact = page.get_by_role("button", name="Contact Riverbend Family Clinic")
    contact.click()
    handoff = bot_messages(page).last.locator(".handoff")
    expect(handoff.locator("p").first).to_have_text("To talk to someone, contact Riverbend Family Clinic:")
    expect(handoff.get_by_role("link", name=re.compile("^Call Riverbend Family Clinic"))).to_have_attribute(
        "href", "tel:5550100199"
    )
    expect(handoff.get_by_role("link", name=re.compile("^Book an appointment"))).to_have_attribute(
        "href", "https://riverbend.example/book"
    )
    # "Talk to a nurse" and every fallback carry the same contact.
    for question in ("can i talk to a nurse", "how do i fix my car"):
        reply = ask(page, question)
        expect(reply.locator(".handoff a[href='tel:5550100199']")).to_have_count(1)


def test_was_this_helpful_is_counted_and_a_no_offers_the_clinic(page: Page, server: Server):
    page.goto("/")
    open_widget(page)
    reply = ask(page, "what is adhd")
    expected = server.ask("what is adhd")
    row = reply.get_by_role("group", name="Was this helpful?")
    with page.expect_request("**/api/feedback") as request:
        row.get_by_role("button", name="Yes").click()
    assert request.value.post_data_json == {
        "id": "adhd-overview",
        "helpful": True,
        "faq_version": expected["faq_version"],
    }
    expect(reply.locator(".feedback.done")).to_have_text("Thank you for telling us.")
    expect(row).to_have_count(0)

    other = ask(page, "how is adhd diagnosed")
    with page.expect_request("**/api/feedback") as request:
        other.get_by_role("group", name="Was this helpful?").get_by_role("button", name="No").click()
    assert request.value.post_data_json["helpful"] is False
    expect(other.locator(".feedback.done p").first).to_contain_text("contact the clinic")
    expect(other.locator(".feedback.done .handoff")).to_have_text(
        "For anything else, please talk to your doctor or clinic."
    )
    # Answered once: after a reload the buttons do not come back.
    page.reload()
    open_widget(page)
    expect(page.locator(f"{WIDGET} .feedback.done")).to_have_count(2)
    expect(page.locator(f"{WIDGET} .feedback:not(.done)")).to_have_count(0)


def test_the_text_box_grows_to_four_lines_and_counts_near_the_limit(page: Page):
    page.goto("/")
    open_widget(page)
    box = question_box(page)
    one_line = box.bounding_box()["height"]
    counter = page.locator(f"{WIDGET} .counter")
    box.fill("word " * 20)
    expect(counter).to_be_hidden()
    box.fill("word " * 90)  # 450 characters
    expect(counter).to_be_visible()
    expect(counter).to_have_text("450 of 500 characters")
    tall = box.bounding_box()["height"]
    assert one_line < tall <= one_line * 3.2  # four lines at most, then it scrolls
    assert box.evaluate("el => el.scrollHeight > el.clientHeight")
    box.fill("what is adhd")
    box.press("Enter")
    expect(bot_messages(page)).to_have_count(1)
    expect(counter).to_be_hidden()
    assert abs(box.bounding_box()["height"] - one_line) < 2


def test_dark_mode_follows_the_system_setting(pages: Pages, screenshot):
    page = pages.open("/", color_scheme="dark")
    open_widget(page)
    ask(page, "what is adhd")
    colour = page.locator(f"{WIDGET} .msg.bot").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(17, 22, 27)"
    ask(page, "i want to kill myself")
    page.wait_for_timeout(400)
    screenshot(page, "desktop-widget-dark")
    assert serious_violations(page, pages) == []


def test_the_phone_launcher_can_show_a_short_word(pages: Pages, screenshot):
    tag = '<script src="/widget.js" defer data-launcher-text="Ask"></script>'
    page = pages.open("/", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    _serve(page, "**/test-host", host_page("<h1>Host</h1>" + tag))
    page.goto("/test-host")
    button = launcher(page)
    expect(button).to_have_accessible_name("Open chat: ADHD questions")
    expect(button.locator(".launcher-short")).to_be_visible()
    expect(button.locator(".launcher-short")).to_have_text("Ask")
    screenshot(page, "mobile-launcher-ask")
