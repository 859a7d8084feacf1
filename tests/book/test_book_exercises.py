"""Each chapter's exercises: at least four (issue 13), each with a hidden solution and a check cell that
uses an exercise of the shared bank, and the slip shown in the check cell is diagnosed."""

from __future__ import annotations

import ast
import re

import pytest

from linstab.check.exercises import EXERCISES

from ._book_paths import BOOK, chapters

CHAPTERS = [c for c in chapters() if re.match(r"\d\d_", c)]

EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n:label: (\S+)")
SOLUTION = re.compile(r"```\{solution-start\} (\S+)\n:class: dropdown")
CHECK = re.compile(r'answer = ("(?:[^"\\]|\\.)*")[^\n]*\nexercise\("([\w-]+)"\)\.check\(answer\)')


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_has_four_exercises_with_hidden_solutions(name):
    text = (BOOK / f"{name}.md").read_text(encoding="utf-8")
    labels = EXERCISE.findall(text)
    assert len(labels) >= 4, f"{name} has {len(labels)} exercises"
    assert SOLUTION.findall(text) == labels, f"{name}: every exercise needs a folded solution, in order"
    assert text.count("```{solution-end}") == len(labels)


@pytest.mark.parametrize("name", CHAPTERS)
def test_check_cells_use_the_bank_and_show_a_diagnosed_slip(name):
    number = int(name[:2])
    text = (BOOK / f"{name}.md").read_text(encoding="utf-8")
    cells = CHECK.findall(text)
    assert len(cells) >= len(EXERCISE.findall(text)), f"{name}: an exercise lacks its check cell"
    for literal, key in cells:
        assert key in EXERCISES, f"{name}: unknown exercise {key!r}"
        ex = EXERCISES[key]
        assert ex.chapter == number, f"{key} belongs to chapter {ex.chapter}, not {number}"
        answer = ast.literal_eval(literal)
        fb = ex.check(answer)
        assert not fb.correct, f"{name}: the check cell of {key} gives the answer away"
        assert (answer, fb.diagnosis) in ex.wrong, f"{name}: {answer!r} is not one of {key}'s listed slips"
