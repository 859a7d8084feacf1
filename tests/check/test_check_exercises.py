"""Every exercise of the book: its reference passes, typical slips get the intended diagnosis."""

from __future__ import annotations

import pytest
import sympy as sp

from linstab.check import DIAGNOSES
from linstab.check.exercises import EXERCISES, by_chapter, exercise

CASES_REF = sorted(EXERCISES)
CASES_WRONG = [(key, w, d) for key, ex in sorted(EXERCISES.items()) for w, d in ex.wrong]
CASES_ACCEPTED = [(key, a) for key, ex in sorted(EXERCISES.items()) for a in ex.accepted]


@pytest.mark.parametrize("key", CASES_REF)
def test_reference_passes_its_own_check(key):
    ex = EXERCISES[key]
    fb = ex.check(ex.reference)
    assert fb.correct, str(fb)
    assert fb.diagnosis == "correct"


@pytest.mark.parametrize(("key", "answer", "diagnosis"), CASES_WRONG)
def test_typical_wrong_answer_gets_intended_diagnosis(key, answer, diagnosis):
    ex = EXERCISES[key]
    fb = ex.check(answer)
    assert not fb.correct
    assert fb.diagnosis == diagnosis, str(fb)
    # the feedback must not give the answer away
    text = fb.message + " ".join(fb.details)
    ref = ex.reference
    parts = [ref] if not isinstance(ref, (list, sp.MatrixBase)) else list(ref)
    for part in parts:
        s = sp.sstr(part)
        if sp.count_ops(part) > 1:  # a bare symbol may be named in a hint (e.g. "a factor n")
            assert s not in text, (s, text)


@pytest.mark.parametrize(("key", "answer"), CASES_ACCEPTED)
def test_equivalent_forms_are_accepted(key, answer):
    fb = EXERCISES[key].check(answer)
    assert fb.correct, str(fb)


def test_every_chapter_one_to_four_has_at_least_three_exercises():
    for chapter in (1, 2, 3, 4):
        assert len(by_chapter(chapter)) >= 3, chapter


def test_every_exercise_lists_wrong_answers_with_known_diagnoses():
    for ex in EXERCISES.values():
        assert ex.wrong, ex.key
        assert {d for _, d in ex.wrong} <= set(DIAGNOSES), ex.key
        assert ex.key.startswith(f"ch{ex.chapter}-")


def test_unknown_exercise_suggests_close_keys():
    with pytest.raises(KeyError, match="did you mean 'ch3-toggle-jacobian'"):
        exercise("ch3-toggle-jacobain")


def test_symbols_lists_the_names_an_answer_may_use():
    assert exercise("ch4-repressilator-charpoly").symbols == ["a", "lambda"]
