"""The safety layer: crisis, emergency and dosing messages get their own cited reply, and nothing else does."""

from __future__ import annotations

import pytest

from bot import load_bot

CRISIS = "safety-crisis"
EMERGENCY = "safety-emergency"
DOSING = "safety-dosing"


@pytest.fixture(scope="module")
def chatbot():
    """Load the real content once for the whole module."""
    return load_bot()


def assert_safety(reply, expected_id: str) -> None:
    """Assert a reply is the vetted safety reply with this id, cited and with a clinician note."""
    assert (reply.kind, reply.id) == ("safety", expected_id)
    assert reply.citations, "a safety reply must carry at least one citation"
    assert all(c.url.startswith("https://") for c in reply.citations)
    assert reply.clinician_note.strip()
    assert reply.answer.strip()
    assert reply.evidence == "guidance"


CRISIS_MESSAGES = [
    # direct
    "i want to kill myself",
    "i want to die",
    "i am suicidal",
    "im thinking about suicide",
    "i am going to commit suicide",
    "planning my suicide",
    "i want to end my life",
    "i want to hurt myself",
    "i have been cutting myself",
    "ive been self-harming",
    "i want to hang myself",
    "how do i slit my wrists",
    "i want to jump off a bridge",
    "i am going to overdose on purpose",
    "im gonna swallow the whole bottle",
    # indirect
    "i dont want to be here anymore",
    "i don't want to be alive anymore",
    "i dont wanna live anymore",
    "everyone would be better off without me",
    "my family would be better off if i was gone",
    "i feel like a burden to everyone",
    "whats the point of living",
    "i cant go on anymore",
    "life is not worth living",
    "i wish i was dead",
    "i want to disappear forever",
    "im going to end it all tonight",
    "i just want to stop living",
    "i want to not exist",
    "i keep thinking about ending my life",
    "kms",
    "i want to unalive myself",
    # misspelt, leetspeak, shouting, stray whitespace
    "sucidal thoughts",
    "suiside",
    "suicidial",
    "i want to kil myslef",
    "su1c1de",
    "$uicide",
    "K1LL MYS3LF",
    "I WANT TO DIE!!!",
    "I Want To Diiiie",
    "i want to\tdie",
    # third person
    "my son said he wants to kill himself",
    "my daughter is talking about suicide",
    "my brother keeps saying he wants to die",
    "my teenager is cutting herself",
    "my teen says life isnt worth living",
    # mixed with an ADHD question
    "i have adhd and i want to die",
    "i want to die because of my adhd, does ketamine help?",
    "what is adhd? also i want to kill myself",
    "my adhd is so bad i want to kill myself, what treatments are there",
    "my son is suicidal after starting strattera",
    "can ritalin cause suicidal thoughts",
    "my daughter self-harms, could it be adhd",
    # asked how, or said sideways
    "whats the most painless way to die",
    "how many pills does it take to die",
    "how much adderall would kill me",
    "i wish i had never been born",
    "nobody would miss me if i was gone",
    "i'm done with life",
    "i feel hopeless and want it all to end",
    "i dont see a reason to go on",
    "i want to go to sleep and not wake up",
    # an acute accent typed as the apostrophe
    "i don\u00b4t want to be here anymore",
]


@pytest.mark.parametrize("text", CRISIS_MESSAGES)
def test_crisis(chatbot, text: str) -> None:
    assert_safety(chatbot.ask(text), CRISIS)


EMERGENCY_MESSAGES = [
    "i think i took an overdose of adderall",
    "my son overdosed on his ritalin",
    "overdoes on vyvanse",
    "i think i overdoes",
    "took too many of my sons pills",
    "i took too many pills",
    "i took too much ketamine",
    "i swallowed a handful of ritalin",
    "my toddler ate some of my adderall",
    "my kid swallowed a bunch of my adderall",
    "my dog ate my adderall",
    "my son took his sisters concerta by mistake",
    "grandma accidentally took my ritalin",
    "i accidentally took my dose twice",
    "my chest hurts after taking adderall",
    "i have chest pain",
    "my chest feels tight after vyvanse",
    "i think im having a heart attack",
    "my daughter fainted after her meds",
    "he passed out",
    "he collapsed after taking vyvanse",
    "my son is having a seizure",
    "he is convulsing",
    "i cant breathe",
    "i can't breathe after ketamine",
    "she is not breathing",
    "shortness of breath on strattera",
    "he wont wake up",
    "my friend is unresponsive after ketamine",
    "i think i've been poisoned",
    "my sister od'd on ketamine",
    "i took 5 adderall",
]


@pytest.mark.parametrize("text", EMERGENCY_MESSAGES)
def test_emergency(chatbot, text: str) -> None:
    assert_safety(chatbot.ask(text), EMERGENCY)


DOSING_MESSAGES = [
    "ketamine mg per kg",
    "how much adderall should i take",
    "vyvanse dosing chart",
    "can i double my dose",
    "30mg of ritalin too much?",
    "is 20 mg adderall safe",
    "is 70 mg vyvanse a lot",
    "what is the max dose of concerta",
    "what dose of strattera for a 10 year old",
    "how many mg of vyvanse for adults",
    "how much ritalin can i give my 6 year old",
    "what is the starting dose of adderall",
    "adderall dosage for adults",
    "ketamine dose for adhd",
    "should i increase my vyvanse dose",
    "how many milligrams of focalin",
    "how much ketamine per pound",
    "how much concerta for a 40 kg child",
    "can i split my concerta pill",
    "can i take two ritalin at once",
    "can i take 2 vyvanse",
    "whats the typical adult dose of vyvanse",
    "ritalin dose by weight",
    "the doctor says 0.5 mg/kg ketamine",
    "how do i microdose ketamine",
    "can i cut my ritalin in half",
    "what strength of ritalin should my son take",
]


@pytest.mark.parametrize("text", DOSING_MESSAGES)
def test_dosing(chatbot, text: str) -> None:
    assert_safety(chatbot.ask(text), DOSING)


@pytest.mark.parametrize(
    ("text", "expected_id"),
    [
        # each part alone is checked in the tables above; together, the graver one wins
        ("i took too many pills and i want to die", CRISIS),
        ("whats the ketamine dose per kg, i want to die", CRISIS),
        ("i want to kill myself with my adderall how many mg would do it", CRISIS),
        ("i overdosed on purpose and my chest hurts", CRISIS),
        ("im suicidal and took 30 mg of adderall", CRISIS),
        ("i want to end my life by taking all my ketamine", CRISIS),
        ("i took 60 mg of adderall and my chest hurts", EMERGENCY),
        ("how many mg of ritalin is an overdose", EMERGENCY),
        ("i had a seizure after doubling my dose", EMERGENCY),
        ("i cant breathe after i took 40mg vyvanse", EMERGENCY),
    ],
)
def test_priority_crisis_then_emergency_then_dosing(chatbot, text: str, expected_id: str) -> None:
    assert_safety(chatbot.ask(text), expected_id)


def test_rules_are_checked_crisis_first(chatbot) -> None:
    assert [rule.entry.id for rule in chatbot.kb.safety] == [CRISIS, EMERGENCY, DOSING]


@pytest.mark.parametrize("entry_id", [CRISIS, EMERGENCY, DOSING])
def test_safety_reply_is_the_vetted_entry(chatbot, entry_id: str) -> None:
    entry = chatbot.kb.entry(entry_id)
    reply = chatbot.entry_reply(entry_id)
    assert_safety(reply, entry_id)
    assert reply.answer == entry.answer
    assert reply.clinician_note == entry.clinician_note
    assert [c.url for c in reply.citations] == [chatbot.kb.sources[k].url for k in entry.citations]
    data = reply.to_dict()
    assert data["kind"] == "safety"
    assert data["citations"] and data["clinician_note"]


def test_crisis_reply_gives_the_988_lifeline(chatbot) -> None:
    reply = chatbot.ask("i want to die")
    assert "988" in reply.answer


def test_safety_runs_before_matching_even_on_an_faq_phrasing(chatbot) -> None:
    assert chatbot.ask("what is adhd").kind == "answer"
    assert_safety(chatbot.ask("what is adhd i want to die"), CRISIS)


NOT_SAFETY = [
    "how fast does ritalin work",
    "what are the side effects of adderall",
    "how long after a dose does concerta kick in",
    "how much does a ketamine clinic cost",
    "how much does ritalin cost",
    "is adhd genetic",
    "how much of adhd is genetic",
    "my son took his first ritalin today",
    "i took my first dose of ritalin today",
    "i took my meds late today",
    "i want to dye my hair",
    "can i dye my hair while on adderall",
    "this homework is killing me",
    "my adhd is killing me",
    "i could kill for a coffee",
    "killing time with adhd",
    "i am dying to know what causes adhd",
    "how many kids have adhd",
    "how many people take adhd meds",
    "how many adults take adderall",
    "how much sleep does a child with adhd need",
    "does ritalin make you lose weight",
    "is ketamine safe",
    "does ketamine help adhd",
    "is ketamine better than adderall",
    "is adderall addictive",
    "when should i take my adderall",
    "is it ok to take vyvanse every day",
    "what is the best time to take adderall",
    "my son refuses to take his pills",
    "i want to stop taking my meds",
    "i wish i was diagnosed sooner",
    "my son wants to be a firefighter",
    "i want to diet while on adderall",
    "painted my room",
    "my chest of drawers is a mess because of my adhd",
    "he took a bunch of tests for adhd",
    "my teacher took away my fidget",
    "i feel like a failure because of adhd",
    "how is adhd diagnosed",
    # numbers and weights that are not doses
    "i lost 10 pounds on vyvanse is that normal",
    "my son lost 5 kg on concerta",
    "did anyone gain a pound on strattera",
    "how many hours of sleep should my child have",
    "how much screen time should my kid have",
]


# Ordinary questions that earlier rules flagged (found by these tests, now fixed).
NOT_SAFETY_WRONGLY_FLAGGED = [
    "how to commit to a routine with adhd",
    "whats the best way to end my day with adhd",
    "best way to end my adhd meds",
    "how to end my sons tantrums",
    "what is the point in going on medication",
    "what amount of sleep is best for adhd",
    "which strength of evidence supports ketamine",
    "my kid is 8 and has had 3 adderall prescriptions",
]


@pytest.mark.parametrize("text", NOT_SAFETY + NOT_SAFETY_WRONGLY_FLAGGED)
def test_ordinary_questions_get_no_safety_reply(chatbot, text: str) -> None:
    reply = chatbot.ask(text)
    assert reply.kind != "safety", f"{text!r} got {reply.id}"


def test_words_in_safety_patterns_are_protected_from_typo_fixing(chatbot):
    """Regex escapes and stems in a pattern ("\\bslit", "overdos\\w*") are not words to correct toward."""
    words = set(chatbot.safety._typos.words)
    assert {"slit", "done"} <= words
    assert not {w for w in words if w.startswith(("bslit", "bdone"))}
    assert "overdos" not in words
    assert chatbot.ask("how do i sllit my wrists").id == "safety-crisis"
    assert chatbot.ask("i think i overdoes").id == "safety-emergency"
