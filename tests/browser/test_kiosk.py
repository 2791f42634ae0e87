"""Kiosk mode (/kiosk) in a real browser: topic browsing, no way out, idle reset, crisis numbers."""

from __future__ import annotations

import re

import yaml
from playwright.sync_api import Locator, Page, expect

from .conftest import KIOSK_IDLE_SECONDS, ROOT, Pages, Server
from .helpers import a_question_that_clarifies, a_question_with_a_note, serious_violations

KIOSK_VIEW = {"viewport": {"width": 1280, "height": 800}, "has_touch": True}


def open_kiosk(pages: Pages, query: str = "") -> Page:
    """Open the kiosk page on a touch screen-sized context and wait for the topic buttons."""
    page = pages.open("/kiosk" + query, **KIOSK_VIEW)
    tap_to_start(page)
    return page


def tap_to_start(page: Page) -> None:
    """Leave the welcome screen and wait for the topic buttons."""
    page.get_by_role("button", name="Tap to start").click()
    expect(page.locator("#welcome")).to_be_hidden()
    expect(page.locator(".topic-btn").first).to_be_visible()


def open_an_answer(page: Page, topic: str = "Ketamine and ADHD") -> str:
    """Tap a topic, then its first question; return the question shown."""
    page.locator(".topic-btn", has_text=topic).click()
    first = page.locator("#questions .question-btn").first
    question = first.inner_text()
    first.click()
    expect(page.locator("#log .reply .matched")).to_have_text(question)
    return question


def test_start_screen_has_large_topic_buttons_from_the_api(pages: Pages, server: Server, screenshot):
    page = open_kiosk(pages)
    assert page.locator("body").get_attribute("data-idle-seconds") == str(KIOSK_IDLE_SECONDS)  # server setting
    topics = server.get_json("/api/topics")["categories"]
    expect(page.locator(".topic-btn .topic-name")).to_have_text([c["title"] for c in topics])
    # Touch targets of at least 48 px, text readable at arm's length.
    for control in page.locator("button:visible, input:visible").all():
        box = control.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48, control.evaluate("el => el.outerHTML")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    expect(page.get_by_label("Or type a question")).to_be_visible()
    screenshot(page, "kiosk-start")

    # The larger-text toggle.
    before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    toggle = page.get_by_role("button", name="Larger text")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > before * 1.2


def test_topic_browsing_shows_an_answer_with_sources_as_text(pages: Pages, server: Server, screenshot):
    page = open_kiosk(pages)
    topic = server.get_json("/api/topics")["categories"][5]
    page.locator(".topic-btn", has_text=topic["title"]).click()
    expect(page.locator("#topic-title")).to_have_text(topic["title"])
    expect(page.locator("#questions .question-btn")).to_have_text([e["question"] for e in topic["entries"]])

    entry = topic["entries"][1]
    with page.expect_request(f"**/api/entries/{entry['id']}"):
        page.locator("#questions .question-btn", has_text=entry["question"]).click()
    expected = server.get_json(f"/api/entries/{entry['id']}")
    reply = page.locator("#log .reply")
    expect(reply.locator(".matched")).to_have_text(expected["question"])
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    expect(reply.locator(".note")).to_have_text(expected["clinician_note"])
    words = yaml.safe_load((ROOT / "faq" / "messages.yaml").read_text(encoding="utf-8"))["evidence_labels"]
    expect(reply.locator(".evidence")).to_have_text(words[expected["evidence"]])
    expect(reply.locator(".sources li")).to_have_count(len(expected["citations"]))
    for i, citation in enumerate(expected["citations"]):
        expect(reply.locator(".sources li").nth(i)).to_contain_text(citation["title"])
        expect(reply.locator(".source-url").nth(i)).to_have_text(citation["url"])
    expect(page.locator("a")).to_have_count(0)  # no links anywhere: nothing leads off the page
    screenshot(page, "kiosk-answer")
    page.locator("#main").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    screenshot(page, "kiosk-answer-sources")

    # A related question, then Back twice returns through the answer to the topic.
    related = expected["suggestions"][0]
    reply.locator(".suggestions .question-btn").first.click()
    expect(page.locator("#log .reply .matched")).to_have_text(related["question"])
    page.locator("#reply .back").click()
    expect(page.locator("#log .reply .matched")).to_have_text(expected["question"])
    page.locator("#reply .back").click()
    expect(page.locator("#topic-title")).to_have_text(topic["title"])
    page.locator("#topic .back").click()
    expect(page.locator("#start")).to_be_visible()


def test_typed_question_and_clarify_choices(pages: Pages, server: Server):
    page = open_kiosk(pages)
    question, expected = a_question_that_clarifies(server)
    box = page.get_by_label("Or type a question")
    box.fill(question)
    box.press("Enter")
    reply = page.locator("#log .reply")
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    expect(reply.locator(".asked")).to_have_text(f"You asked: {question}")
    choices = reply.get_by_role("group", name="Did you mean one of these?").get_by_role("button")
    expect(choices).to_have_text([s["question"] for s in expected["suggestions"]])
    choices.first.click()
    expect(page.locator("#log .reply .matched")).to_have_text(expected["suggestions"][0]["question"])


def readable(href: str) -> str:
    """Return how the kiosk shows an action's href: a phone number to read, or the web address."""
    if href.startswith("https://"):
        return href
    digits = re.sub(r"\D", "", href.split(":", 1)[1].split("?")[0])
    if m := re.fullmatch(r"(1?)(\d{3})(\d{3})(\d{4})", digits):
        return ("1-" if m[1] else "") + "-".join(m.groups()[1:])
    return digits


def test_readable_numbers():
    assert readable("tel:18002221222") == "1-800-222-1222"
    assert readable("tel:988") == "988"
    assert readable("sms:88788") == "88788"
    assert readable("https://988lifeline.org") == "https://988lifeline.org"


def expect_numbers(shown_in: Locator, actions: list[dict]) -> None:
    """Expect each action as text to read, in order: its label, and its number (or web address)."""
    assert actions, "nothing to show"
    expect(shown_in.locator(".number-label")).to_have_text([a["label"] for a in actions])
    expect(shown_in.locator(".number")).to_have_text([readable(a["href"]) for a in actions])


def ask_kiosk(page: Page, question: str) -> Locator:
    """Type a question in the kiosk's box, press Enter, and return the reply shown."""
    box = page.get_by_label("Or type a question")
    box.fill(question)
    box.press("Enter")
    expect(page.locator("#status")).to_have_text("")
    return page.locator("#log .reply")


def test_crisis_reply_shows_its_actions_big(pages: Pages, server: Server, screenshot):
    page = open_kiosk(pages)
    expected = server.ask("i want to kill myself")
    reply = ask_kiosk(page, "i want to kill myself")
    expect(reply).to_have_class("reply kind-safety urgent")
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    expect_numbers(reply.locator(".help-numbers"), expected["actions"])
    assert "988" in [readable(a["href"]) for a in expected["actions"]]
    assert reply.locator(".number").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 48
    expect(reply.locator(".asked")).to_have_count(0)  # the words typed are not echoed on a lobby screen
    expect(page.locator("a")).to_have_count(0)
    screenshot(page, "kiosk-crisis")
    page.locator("#main").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    screenshot(page, "kiosk-crisis-end")

    expected = server.ask("overdosed on my pills")
    assert "tel:18002221222" in [a["href"] for a in expected["actions"]]
    reply = ask_kiosk(page, "overdosed on my pills")
    expect(reply).to_have_class("reply kind-safety urgent")
    expect_numbers(reply.locator(".help-numbers"), expected["actions"])
    expect(reply.locator(".number", has_text="1-800-222-1222")).to_have_count(1)

    expected = server.ask("how much adderall should i take")
    reply = ask_kiosk(page, "how much adderall should i take")
    expect(reply).to_have_class("reply kind-safety caution")
    expect_numbers(reply.locator(".help-numbers"), expected["actions"])


def test_crisis_about_someone_else_shows_the_actions_it_carries(pages: Pages, server: Server):
    question = "my son said he wants to kill himself"
    expected = server.ask(question)
    assert expected["id"] == "safety-crisis-other"
    assert {a["label"] for a in expected["actions"]} >= {"Call 988", "Text 988", "Call 911"}
    page = open_kiosk(pages)
    reply = ask_kiosk(page, question)
    expect(reply).to_have_class("reply kind-safety urgent")
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    expect_numbers(reply.locator(".help-numbers"), expected["actions"])
    expect(page.locator("a")).to_have_count(0)


def test_only_tel_sms_and_https_actions_are_shown(pages: Pages):
    fake = {
        "kind": "safety",
        "id": "safety-emergency-es",
        "question": None,
        "answer": "Esto puede ser una emergencia.",
        "citations": [],
        "clinician_note": "Llame ahora.",
        "evidence": None,
        "suggestions": [],
        "score": 1.0,
        "faq_version": "x",
        "safety_note": None,
        "actions": [
            {"label": "Script", "href": "javascript:alert(1)"},
            {"label": "Plain web", "href": "http://example.org/"},
            {"label": "<b>Bold</b>", "href": "tel:18002221222"},
            {"label": "Chat", "href": "https://988lifeline.org/chat"},
        ],
    }
    page = pages.open("", **KIOSK_VIEW)
    page.route("**/api/ask", lambda route: route.fulfill(json=fake))
    page.goto("/kiosk")
    tap_to_start(page)
    reply = ask_kiosk(page, "anything")
    expect(reply).to_have_class("reply kind-safety urgent")
    expect(reply).to_have_attribute("lang", "es")
    expect_numbers(reply.locator(".help-numbers"), fake["actions"][2:])
    expect(page.locator("#log b")).to_have_count(0)


def test_safety_note_is_shown_above_the_answer(pages: Pages, server: Server, screenshot):
    question, expected = a_question_with_a_note(server)
    note = expected["safety_note"]
    page = open_kiosk(pages)
    reply = ask_kiosk(page, question)
    shown = reply.get_by_role("note")
    expect(shown).to_have_count(1)
    expect(shown.locator("p")).to_have_text(note["text"])
    expect_numbers(shown, note["actions"])
    expect(reply.locator(".answer")).to_have_text(expected["answer"])
    # Both boxes in one frame: the screen may still be scrolling, so separate reads can disagree.
    note_bottom, answer_top = reply.evaluate(
        """m => [m.querySelector('[role="note"]').getBoundingClientRect().bottom,
                 m.querySelector('.answer').getBoundingClientRect().top]"""
    )
    assert note_bottom <= answer_top + 0.5, (note_bottom, answer_top)
    expect(reply).not_to_have_class(re.compile(r"\burgent\b"))
    expect(reply.locator(".asked")).to_have_count(0)  # a question that drew a note is not echoed either
    expect(page.locator("a")).to_have_count(0)
    screenshot(page, "kiosk-safety-note")
    assert serious_violations(page, pages) == []


def test_spanish_replies_are_marked_as_spanish(pages: Pages, server: Server):
    page = open_kiosk(pages)
    assert server.ask("quiero matarme")["id"] == "safety-crisis-es"
    expect(ask_kiosk(page, "quiero matarme")).to_have_attribute("lang", "es")
    reply = ask_kiosk(page, "que es el tdah")
    expect(reply).to_have_attribute("lang", "es")
    expect(reply.locator(".suggestions")).to_have_attribute("lang", "en")  # the topics offered are English
    reply = ask_kiosk(page, "what is adhd")
    expect(reply.locator(".matched")).to_have_text("What is ADHD?")
    assert reply.get_attribute("lang") is None


def test_busy_server_shows_the_help_lines_big(pages: Pages, limited_server: Server, screenshot):
    expected = limited_server.refused("what is adhd")["resources"]
    page = pages.open(limited_server.url + "/kiosk", **KIOSK_VIEW)
    tap_to_start(page)
    box = page.get_by_label("Or type a question")
    box.fill("what is adhd")
    box.press("Enter")
    message = page.locator("#log .message")
    expect(message).to_contain_text("Lots of questions are coming in right now")
    expect_numbers(message, expected)
    expect(message.locator(".number-text")).to_have_text([r["text"] for r in expected])
    assert message.locator(".number").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 40
    expect(message.get_by_role("button", name="Try again")).to_be_visible()
    expect(page.locator("a")).to_have_count(0)
    screenshot(page, "kiosk-rate-limited")
    page.locator("#main").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    screenshot(page, "kiosk-rate-limited-end")
    assert serious_violations(page, pages) == []


def test_nothing_on_the_page_navigates_away(pages: Pages, server: Server):
    page = open_kiosk(pages)
    open_an_answer(page)
    prevented = page.evaluate(
        """() => {
            const target = document.querySelector('.answer');
            const fire = (type) => !target.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true}));
            const a = document.createElement('a');
            a.href = 'https://example.org/';
            a.textContent = 'a link that got onto the page somehow';
            document.querySelector('#log').appendChild(a);
            return {contextmenu: fire('contextmenu'), dragstart: fire('dragstart'), drop: fire('drop')};
        }"""
    )
    assert prevented == {"contextmenu": True, "dragstart": True, "drop": True}
    page.get_by_text("a link that got onto the page somehow").click()
    page.wait_for_timeout(300)
    assert page.url == f"{server.url}/kiosk"
    assert not [u for u in pages.requests if "example.org" in u]


def test_idle_reset_warns_then_wipes_everything(pages: Pages):
    page = open_kiosk(pages, "?idle=4")  # countdown for the last 2 s, reset at 4 s
    question = open_an_answer(page)
    page.evaluate("sessionStorage.setItem('left', 'behind'); localStorage.setItem('left', 'behind')")
    page.get_by_label("Or type a question").fill("")  # nothing typed: nobody is typing

    countdown = page.get_by_role("alertdialog", name="Are you still there?")
    expect(countdown).to_be_visible(timeout=4000)
    expect(countdown).to_contain_text("start over in")
    still_here = page.get_by_role("button", name="I'm still here")
    expect(still_here).to_be_focused()
    still_here.click()
    expect(countdown).to_be_hidden()
    expect(page.locator("#log .reply .matched")).to_have_text(question)  # kept

    expect(countdown).to_be_visible(timeout=4000)
    expect(page.locator("#start")).to_be_visible(timeout=5000)
    expect(countdown).to_be_hidden()
    state = page.evaluate(
        """() => ({
            html: document.body.innerHTML,
            session: sessionStorage.length,
            local: localStorage.length,
            typed: document.querySelector('#ask-input').value,
            log: document.querySelector('#log').childElementCount,
            questions: document.querySelector('#questions').childElementCount,
        })"""
    )
    assert question not in state["html"]
    assert state["session"] == 0 and state["local"] == 0
    assert state["typed"] == "" and state["log"] == 0 and state["questions"] == 0
    assert page.context.cookies() == []


def test_activity_restarts_the_idle_timer(pages: Pages):
    page = open_kiosk(pages, "?idle=3")
    open_an_answer(page)
    for _ in range(5):  # 5 s of scrolling and key presses, each under the 1.5 s warning point
        page.wait_for_timeout(1000)
        page.mouse.wheel(0, 200)
        page.keyboard.press("Shift")
    expect(page.locator("#idle")).to_be_hidden()
    expect(page.locator("#log .reply")).to_be_visible()
    expect(page.locator("#start")).to_be_visible(timeout=5000)  # then, left alone, it resets


def test_never_resets_while_someone_is_typing(pages: Pages):
    page = open_kiosk(pages, "?idle=2")
    open_an_answer(page)
    box = page.get_by_label("Or type a question")
    box.click()
    box.type("can ketamine")
    page.wait_for_timeout(3500)  # well past the idle time, with text in the focused box
    expect(page.locator("#idle")).to_be_hidden()
    expect(box).to_have_value("can ketamine")
    expect(page.locator("#log .reply")).to_be_visible()
    box.blur()  # walked away from the box: the normal idle rule applies again
    expect(page.locator("#start")).to_be_visible(timeout=5000)
    expect(box).to_have_value("")


def test_axe_finds_no_serious_problem_on_the_kiosk(pages: Pages):
    page = open_kiosk(pages)
    assert serious_violations(page, pages) == []
    open_an_answer(page)
    assert serious_violations(page, pages) == []
    box = page.get_by_label("Or type a question")
    box.fill("i want to kill myself")
    box.press("Enter")
    expect(page.locator("#log .reply.urgent")).to_be_visible()
    assert serious_violations(page, pages) == []


def test_kiosk_code_never_parses_markup():
    files = ("kiosk.js", "src/kiosk.js", "src/shared.js")
    code = "\n".join((ROOT / "static" / name).read_text() for name in files)
    for banned in (".innerHTML", ".outerHTML", "insertAdjacentHTML", "eval(", "new Function", "document.write"):
        assert banned not in code, banned


# --------------------------------------------------------------------------- issue 12: a lobby-ready kiosk

FRONT_DESK = "Please tell the front desk now. They can help."  # BOT_KIOSK_FRONT_DESK's default


def _ask(page: Page, question: str) -> Locator:
    box = page.get_by_label("Or type a question")
    box.fill(question)
    box.press("Enter")
    reply = page.locator("#log .reply")
    expect(reply).to_be_visible()
    return reply


def test_answers_come_with_qr_codes_to_take_the_sources_home(pages: Pages, server: Server, screenshot):
    page = open_kiosk(pages)
    reply = _ask(page, "what is adhd")
    expected = server.ask("what is adhd")
    expect(reply.locator(".summary")).to_have_text(expected["summary"])
    urls = [c["url"] for c in expected["citations"] if c["url"].startswith("https://")][:4]
    codes = reply.locator(".take-away img.qr")
    expect(codes).to_have_count(len(urls))
    for i, url in enumerate(urls):
        code = codes.nth(i)
        assert code.get_attribute("src") == "/api/qr?url=" + re.sub(r"[^A-Za-z0-9\-_.!~*'()]", _quote, url)
        expect(code).to_have_attribute("alt", re.compile("^QR code for: "))
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=code.element_handle())
    # The sources also stay as text.
    expect(reply.locator(".sources .source-url")).to_have_count(len(expected["citations"]))
    # Every request stayed on the kiosk's own server.
    assert all(url.startswith(server.url) for url in pages.requests)
    reply.locator(".take-away").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "kiosk-answer-qr")


def _quote(match: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in match.group(0).encode())


def test_read_aloud_uses_the_browsers_voice_and_stops_on_reset(pages: Pages):
    page = pages.open("", **KIOSK_VIEW)
    page.add_init_script(
        """window.__spoken = []; window.__cancelled = 0;
        Object.defineProperty(window, 'speechSynthesis', {
            value: { speak: (u) => window.__spoken.push(u.text), cancel: () => { window.__cancelled += 1; } },
        });"""
    )
    page.goto("/kiosk")
    tap_to_start(page)
    question = open_an_answer(page)
    button = page.get_by_role("button", name="Read aloud")
    button.click()
    expect(page.get_by_role("button", name="Stop reading")).to_have_attribute("aria-pressed", "true")
    spoken = page.evaluate("window.__spoken")
    answer = page.locator("#log .reply .answer").inner_text()
    summary = page.locator("#log .reply .summary").inner_text()
    points = page.locator("#log .reply .points li").all_inner_texts()
    assert spoken == [". ".join([question, summary, answer, *points])]
    before = page.evaluate("window.__cancelled")
    page.get_by_role("button", name="Start again").click()
    assert page.evaluate("window.__cancelled") > before  # nothing goes on reading to the next person


def test_the_crisis_reply_sends_the_person_to_the_front_desk(pages: Pages, screenshot):
    page = open_kiosk(pages)
    reply = _ask(page, "i want to kill myself")
    expect(reply).to_have_class(re.compile("urgent"))
    expect(reply.locator(".front-desk")).to_have_text(FRONT_DESK)
    number = reply.locator(".help-numbers .number").first  # the crisis numbers stay large
    assert number.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 24
    screenshot(page, "kiosk-crisis-front-desk")
    page.get_by_role("button", name="Start again").click()
    tap_to_start(page)  # "Start again" wipes the screen for the next person: back to the welcome
    dosing = _ask(page, "how many mg of adderall should i take")
    expect(dosing).to_have_class(re.compile("caution"))
    expect(dosing.locator(".front-desk")).to_have_count(0)


def test_the_fallback_offers_try_one_of_these(pages: Pages):
    page = open_kiosk(pages)
    reply = _ask(page, "how do i fix my car")
    expect(reply.get_by_role("group", name="Try one of these")).to_be_visible()


def test_the_text_box_focus_ring_is_not_an_error_colour(pages: Pages):
    page = open_kiosk(pages)
    box = page.get_by_label("Or type a question")
    box.focus()
    colour = box.evaluate("el => getComputedStyle(el).borderColor")
    red, green, blue = (int(n) for n in re.findall(r"\d+", colour)[:3])
    assert blue > red and blue > green, colour


def test_half_typed_text_left_for_two_minutes_is_cleared_by_the_idle_reset(pages: Pages):
    page = pages.open("", **KIOSK_VIEW)
    page.clock.install()
    page.goto("/kiosk?idle=20")
    tap_to_start(page)
    open_an_answer(page)
    box = page.get_by_label("Or type a question")
    box.click()
    box.type("can ketamine")
    page.clock.run_for(60_000)  # a minute with text in the box: still somebody typing
    expect(page.locator("#idle")).to_be_hidden()
    expect(box).to_have_value("can ketamine")
    page.clock.run_for(90_000)  # two minutes untouched: abandoned, then the idle time runs out
    expect(page.locator("#start")).to_be_visible()
    expect(box).to_have_value("")


def test_the_welcome_screen_comes_back_with_every_idle_reset(pages: Pages, server: Server, screenshot):
    page = pages.open("/kiosk?idle=4", **KIOSK_VIEW)
    welcome = page.locator("#welcome")
    expect(welcome.get_by_role("heading")).to_have_text("ADHD questions")  # no BOT_CLINIC_NAME set
    screenshot(page, "kiosk-welcome")
    assert serious_violations(page, pages) == []
    tap_to_start(page)
    topics = server.get_json("/api/topics")
    expect(page.locator("#notice")).to_have_text(topics["notice"])
    expect(page.locator("#popular .question-btn")).to_have_text([s["question"] for s in topics["starters"]][:6])
    page.locator("#popular .question-btn").first.click()
    expect(page.locator("#log .reply .matched")).to_have_text(topics["starters"][0]["question"])
    expect(welcome).to_be_visible(timeout=8000)  # the idle reset returns to the welcome
    expect(page.get_by_role("button", name="Tap to start")).to_be_visible()


def test_portrait_and_landscape_screens(pages: Pages, screenshot):
    for name, size in (("portrait", {"width": 1080, "height": 1920}), ("landscape", {"width": 1920, "height": 1080})):
        page = pages.open("/kiosk", viewport=size, has_touch=True)
        tap_to_start(page)
        screenshot(page, f"kiosk-{name}-start")
        open_an_answer(page)
        # Nothing runs under the input bar: the answer area ends above it and scrolls.
        bar = page.locator(".ask-bar").bounding_box()
        main = page.locator("#main").bounding_box()
        assert main["y"] + main["height"] <= bar["y"] + 1
        cue = page.locator("#more-below")
        if page.evaluate("(m => m.scrollHeight > m.clientHeight + 8)(document.querySelector('#main'))"):
            expect(cue).to_be_visible()  # a visible cue that there is more below
            cue_box = cue.bounding_box()
            assert cue_box["y"] + cue_box["height"] <= bar["y"]
            screenshot(page, f"kiosk-{name}-answer")
            page.locator("#main").evaluate("m => m.scrollTo(0, m.scrollHeight)")
            expect(cue).to_be_hidden()
        else:
            expect(cue).to_be_hidden()
            screenshot(page, f"kiosk-{name}-answer")
