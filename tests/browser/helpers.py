"""Small helpers shared by the browser tests (Playwright's CSS locators pierce open shadow roots)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from collections.abc import Callable

    from .conftest import Pages, Server

WIDGET = "adhd-faq-widget"
SERIOUS = {"serious", "critical"}

# The CSP every page gets from server.py, reused for the test-only host pages below.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


def launcher(page: Page) -> Locator:
    """Return the widget's launcher button."""
    return page.locator(f"{WIDGET} .launcher")


def panel(page: Page) -> Locator:
    """Return the widget's chat panel (the dialog)."""
    return page.locator(f"{WIDGET} .panel")


def question_box(page: Page) -> Locator:
    """Return the widget's text box."""
    return page.locator(f"{WIDGET} textarea#q")


def bot_messages(page: Page) -> Locator:
    """Return the bot's messages in the widget's log."""
    return page.locator(f"{WIDGET} .log .msg.bot")


def open_widget(page: Page, started: bool = True) -> None:
    """Open the chat panel with the launcher; by default wait for the welcome (starters) too."""
    launcher(page).click()
    expect(panel(page)).to_be_visible()
    settle(page)
    if started:
        expect(page.locator(f"{WIDGET} .welcome .starters")).to_be_visible()


def settle(page: Page) -> None:
    """Wait until the panel's opening animation has finished (so boxes are where they end up)."""
    page.wait_for_function(
        "() => document.querySelector('adhd-faq-widget').shadowRoot.querySelector('.panel')"
        ".getAnimations().length === 0"
    )


def ask(page: Page, text: str) -> Locator:
    """Type a question, press Enter, and return the bot's reply to it."""
    before = bot_messages(page).count()
    question_box(page).fill(text)
    question_box(page).press("Enter")
    expect(bot_messages(page)).to_have_count(before + 1)
    return bot_messages(page).nth(before)


def active_in_widget(page: Page) -> dict:
    """Return where focus is: the widget host or not, and the focused element inside its shadow root."""
    return page.evaluate(
        """() => {
            const host = document.querySelector('adhd-faq-widget');
            const inner = host && host.shadowRoot.activeElement;
            const panel = host && host.shadowRoot.querySelector('.panel');
            return {
                inWidget: document.activeElement === host,
                inPanel: !!(inner && panel.contains(inner)),
                id: inner ? inner.id : null,
                cls: inner ? inner.className : null,
                tag: inner ? inner.tagName.toLowerCase() : null,
            };
        }"""
    )


def serious_violations(page: Page, pages: Pages) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations, one line each.

    axe-core itself applies inline styles while it checks, which the page's CSP reports;
    those reports (and only those, made during the run) are dropped from `pages.problems`.
    """
    from axe_playwright_python.sync_playwright import Axe

    assert not pages.problems, pages.problems
    results = Axe().run(page)
    page.wait_for_timeout(100)
    pages.problems[:] = [p for p in pages.problems if "Applying inline style" not in p]
    lines = []
    for v in results.response["violations"]:
        if v.get("impact") in SERIOUS:
            targets = [str(node.get("target")) for node in v.get("nodes", [])][:5]
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return lines


def host_page(body: str, *, title: str = "Test host page") -> str:
    """Return a minimal HTML page (for pages the tests serve themselves)."""
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1">'
    head = f'<meta charset="utf-8">{viewport}<title>{title}</title>'
    return f'<!doctype html><html lang="en"><head>{head}</head><body>{body}</body></html>'


# Questions the concern tier answers with a note (the first one the API gives a note for is used,
# so a change in what the detector flags moves the test to the next one, not to a skip).
# Since session 31 a plain question about a risk that the detector reads as harmless ("can strattera
# cause suicidal thoughts") gets no note: its answer gives 988 and 911 itself.
NOTE_QUESTIONS = (
    "ive never had thoughts of ending it all, my teen starts strattera monday and he is nervous",
    "my teen has never said anything about hurting herself, but the doctor wants a mood screen before strattera. "
    "is that standard?",
    "can strattera cause suicidal thoughts",
    "what if my son overdosed on ritalin",
    "i sometimes think about suicide, could it be adhd",
)


def first_reply(
    server: Server, questions: tuple[str, ...], wanted: Callable[[dict], bool], what: str
) -> tuple[str, dict]:
    """Return the first of these questions whose API reply is the wanted kind, and that reply."""
    for question in questions:
        reply = server.ask(question)
        if wanted(reply):
            return question, reply
    raise AssertionError(f"none of {questions} gets {what} from the API")


def a_question_with_a_note(server: Server) -> tuple[str, dict]:
    """Return a question the API answers (not with a safety reply) with a safety note, and that reply."""
    return first_reply(
        server, NOTE_QUESTIONS, lambda r: bool(r.get("safety_note")) and r["kind"] != "safety", "a safety_note"
    )


# Short questions with two readings. Which of them the matcher clarifies moves as its training
# data grows ("is it adhd" until session 21, "side effects" until session 22); these tests check
# what the pages do with a "did you mean" reply, so they take the first that gets one.
CLARIFY_QUESTIONS = (
    "adhd and ketamine",
    "wat helps adhd",
    "my kid cant focus",
    "cant sleep since startin vyvanse",
    "side effects",
)


def a_question_that_clarifies(server: Server) -> tuple[str, dict]:
    """Return a question the API answers with a "did you mean" (clarify) reply, and that reply."""
    return first_reply(
        server, CLARIFY_QUESTIONS, lambda r: r["kind"] == "clarify" and len(r["suggestions"]) >= 2, "a clarify reply"
    )
