"""Matching and deciding: canonical questions, typos, and off-topic text never answered."""

from __future__ import annotations

import pytest

from bot.matcher import Match


def test_every_canonical_question_is_answered_by_its_own_entry(bot):
    for entry in bot.kb.entries:
        reply = bot.ask(entry.question)
        assert (reply.kind, reply.id) == ("answer", entry.id), entry.question


@pytest.mark.parametrize(
    ("question", "expected_id"),
    [
        ("What is ADHD?", "adhd-overview"),
        ("what r the sypmtoms of adhd in kids", "symptoms-children"),
        ("how fast does adderall kick in", "medication-how-fast"),
        ("can ketamine cure adhd", "ketamine-for-adhd"),
        ("is ketamine better than ritalin", "ketamine-vs-standard"),
        ("ritalin side effects", "medication-side-effects"),
        ("IEP or 504 plan for my son", "school-support"),
        ("what is the best antidepressant for adhd", "antidepressants-adhd"),
        ("is adhd caused by too much sugar", "adhd-causes"),
        ("what is ketamine approved for", "ketamine-overview"),
        # brand names that look alike in their best phrasings, told apart by all of them
        ("how does ritalin work", "medication-stimulants"),
        # ages say who the question is about
        ("my 4yo has adhd what treatment helps", "treatment-young-children"),
        ("adhd symptoms at 40", "symptoms-adults"),
        ("can a 45 year old have adhd", "adhd-in-adults"),
        # what is said to be absent
        ("adhd without being hyper", "type-inattentive"),
        ("adhd medication that isnt a stimulant", "medication-nonstimulants"),
    ],
)
def test_typical_questions_reach_the_right_entry(bot, question, expected_id):
    reply = bot.ask(question)
    assert (reply.kind, reply.id) == ("answer", expected_id)


@pytest.mark.parametrize(
    "question",
    [
        "symptoms of covid",
        "types of coffee",
        "treatment for diabetes",
        "side effects of amoxicillin",
        "how fast does tylenol work",
        "what's the weather tomorrow",
        "tell me a joke",
        "write me a poem about the sea",
        "write python code to sort a list",
        "who won the football game",
        # everyday words that ADHD is also about
        "best camera focus settings",
        "restless legs at night",
        # naming ADHD without asking about anything the FAQ covers
        "adhd crossword puzzle clues",
        "can my dog have adhd",
        "is adhd a superpower",
        "adhd hoodie merch",
    ],
)
def test_off_topic_text_is_never_answered(bot, question):
    # We don't want to randomly match to something.
    assert bot.ask(question).kind in ("fallback", "clarify")


def test_search_is_shaped_like_rapidfuzz_extract(bot):
    m = bot.matcher
    hits = m.search("how fast does ritalin work", limit=2)
    assert len(hits) == 2 and all(isinstance(h, Match) for h in hits)
    assert hits[0].score >= hits[1].score
    assert len({h.entry_id for h in m.search("adhd medication", limit=5)}) == 5
    assert m.search("") == []
    assert m.search("how fast does ritalin work", score_cutoff=1.01) == []
    assert m.extract_one("zzzz qqqq") is None
    upper = m.extract_one("x", processor=lambda _: "what is adhd")
    assert upper is not None and upper.entry_id == "adhd-overview"


@pytest.mark.parametrize(
    ("question", "on_topic"),
    [
        ("adhd symptoms in kids", True),
        ("my sister has been doing ketamine sessions twice a week and seems spaced out", True),  # a story
        ("symptoms of covid", False),  # no topic word
        ("adhd crossword puzzle clues", False),  # a topic word, but mostly words the FAQ never uses
        ("who are you", False),  # no content words at all
    ],
)
def test_hits_say_whether_the_question_is_on_topic(bot, question, on_topic):
    hits = bot.matcher.search(question)
    assert hits and all(h.on_topic is on_topic for h in hits)


def test_a_vetted_phrasing_typed_exactly_is_a_sure_match(bot):
    entry = bot.kb.by_id["adhd-overview"]
    for text in (entry.question, *entry.alternates[:5]):
        top = bot.matcher.search(text)[0]
        assert (top.entry_id, top.score) == (entry.id, 1.0), text
    # A content check can still see how a phrasing scores as plain text.
    assert bot.matcher.search("what does adhd stand for", exact=False)[0].score < 1.0


def test_off_topic_questions_need_a_higher_score_than_on_topic_ones(bot):
    t = bot.thresholds
    assert t.off_topic_answer > t.answer
    on = [Match("adhd-overview", t.answer + 0.01, "x", on_topic=True), Match("diagnosis", 0.0, "y")]
    off = [Match("adhd-overview", t.answer + 0.01, "x", on_topic=False), Match("diagnosis", 0.0, "y")]
    assert bot.decide(on)[0] == "answer"
    assert bot.decide(off)[0] != "answer"


def test_a_close_second_entry_means_clarify(bot):
    t = bot.thresholds
    hits = [Match("adhd-overview", 0.9, "x"), Match("diagnosis", 0.9 - t.margin / 2, "y")]
    kind, shown = bot.decide(hits)
    assert kind == "clarify" and [h.entry_id for h in shown] == ["adhd-overview", "diagnosis"]


def test_a_vague_question_gets_close_candidates_an_answer_or_the_likely_entry_first(bot):
    reply = bot.ask("adhd medicine")
    medicine = {"treatment-overview", "medication-stimulants", "medication-nonstimulants", "medication-side-effects"}
    if reply.kind == "clarify":
        assert 2 <= len(reply.suggestions) <= 3
    elif reply.kind == "fallback":  # unsure of one entry: it is offered first among the topics
        assert reply.suggestions[0].id in medicine
    else:
        assert (reply.kind, reply.id in medicine) == ("answer", True)


def test_fallback_lists_topics_and_the_clinician_note(bot):
    reply = bot.ask("what is the capital of france")
    assert reply.kind == "fallback"
    assert [s.id for s in reply.suggestions] == list(bot.kb.messages.fallback_suggestions)
    assert reply.clinician_note == bot.kb.messages.clinician_note


def test_answers_are_the_vetted_text_verbatim(bot):
    for entry in bot.kb.entries[:5]:
        assert bot.ask(entry.question).answer == entry.answer


# ---------------------------------------------------------------- step 2: one Query per question

QUERY_QUESTIONS = [
    "how long does ritalin take to work",
    "is ketamine a cure for adhd",
    "my 7yo cant sit still is it adhd",
    "i want to kil myself",
    "cuantos mg de adderall",
    "hello",
]


@pytest.mark.parametrize("question", QUERY_QUESTIONS)
def test_a_query_gives_every_step_what_the_plain_text_gives(bot, question) -> None:
    """Safety, both matchers and the decision read the one Query as they read the text itself."""
    query = bot.query(question)
    assert query.text == question
    assert list(query.tokens) == bot.matcher.normalizer.tokens(question)
    assert query.safety_text == bot.safety.prepare(question)
    assert bot.assess(query) == bot.assess(question)
    assert bot.matcher.search(query, limit=3) == bot.matcher.search(question, limit=3)
    if bot.intent is not None:
        assert bot.class_probabilities(query) == pytest.approx(bot.class_probabilities(question))


def test_one_normaliser_is_built_before_safety_and_the_matcher(bot) -> None:
    """Step 2 comes first: safety and the matcher are handed the reader's parts, never the other way."""
    assert bot.matcher.normalizer is bot.reader.normalizer
    assert bot.safety.spelling is bot.reader.spelling
    assert not hasattr(bot.reader.normalizer, "with_vocabulary")  # nothing rebuilds it later
    # The content loader's collision check reads phrasings with this same normaliser.
    from bot.normalize import Normalizer

    assert Normalizer.for_content(bot.kb.synonyms, bot.kb.entries).vocabulary == bot.reader.normalizer.vocabulary


def test_ask_normalises_each_question_once(bot, monkeypatch) -> None:
    calls = {"tokens": 0, "safety": 0}
    tokens, prepare = bot.reader.normalizer.tokens, bot.reader.spelling.prepare

    def counted_tokens(text):
        calls["tokens"] += 1
        return tokens(text)

    def counted_prepare(text):
        calls["safety"] += 1
        return prepare(text)

    monkeypatch.setattr(bot.reader.normalizer, "tokens", counted_tokens)
    monkeypatch.setattr(bot.reader.spelling, "prepare", counted_prepare)
    reply = bot.ask("how long does an adhd assessment take for my son")
    assert reply.kind in ("answer", "clarify", "fallback")
    assert calls == {"tokens": 1, "safety": 1}
