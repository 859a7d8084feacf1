"""The result of a check: :class:`Feedback`, with text, Markdown and HTML renderings."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

__all__ = ["Feedback", "DIAGNOSES"]

#: Every diagnosis a check can return, with a one-line meaning (for documentation and tests).
DIAGNOSES: dict[str, str] = {
    "correct": "the answer is equivalent to the reference on the domain",
    "parse_error": "the answer could not be read",
    "unknown_symbol": "the answer uses a name the exercise does not define",
    "sign": "the answer is the reference with the opposite sign",
    "missing_factor": "the answer differs from the reference by a factor of a symbol (or its power)",
    "constant_factor": "the answer differs from the reference by a constant factor",
    "reciprocal": "the answer is the reciprocal of the reference",
    "wrong_exponent": "the answer is right except for one exponent",
    "missing_term": "the answer lacks one term of the reference (a sum)",
    "extra_term": "the answer has one term too many",
    "swapped_symbols": "the answer is right with two symbols interchanged",
    "missing_dependence": "the reference depends on a symbol the answer does not use",
    "extra_dependence": "the answer depends on a symbol the reference does not use",
    "shape": "the matrix has the wrong shape",
    "transposed": "the matrix is the transpose of the reference",
    "misplaced_entries": "the matrix holds the right entries, some in the wrong place",
    "entries": "some matrix entries are wrong",
    "degree": "the polynomial has the wrong degree",
    "coefficients": "some coefficients of the polynomial are wrong",
    "count": "the set has the wrong number of elements",
    "elements": "some elements of the set are wrong",
    "reversed": "the condition holds exactly where the reference fails",
    "too_strong": "the condition is sufficient but not necessary",
    "too_weak": "the condition is necessary but not sufficient",
    "partial_domain": "the condition agrees with the reference on part of the domain only",
    "boundary": "the condition agrees with the reference except on its boundary (strict or not)",
    "approximate": "the answer is a decimal approximation of the exact reference",
    "not_equivalent": "the answer is not equivalent to the reference",
    "undecided": "equivalence could not be decided (too few valid sample points)",
    "too_complex": "the answer could not be checked within the time and memory budget",
}


@dataclass(frozen=True)
class Feedback:
    """What a check found: correct or not, a message for the student, and a diagnosis code.

    The message never states the reference answer; it says what is right and points at the
    likely slip.

    Attributes
    ----------
    correct
        Whether the answer is equivalent to the reference on the domain.
    message
        One or two sentences for the student.
    diagnosis
        A key of :data:`DIAGNOSES` (``"correct"`` when correct).
    method
        How the verdict was reached: ``"symbolic"`` (SymPy proved it), ``"numeric"`` (random
        points in the domain) or ``"none"`` (the answer could not be read).
    details
        Further lines, e.g. one per matrix entry.

    Examples
    --------
    >>> fb = Feedback(True, "Correct.", "correct", method="symbolic")
    >>> fb.correct, bool(fb)
    (True, True)
    >>> print(fb)
    Correct. Correct.
    """

    correct: bool
    message: str
    diagnosis: str
    method: str = field(default="numeric", kw_only=True)
    details: tuple[str, ...] = field(default=(), kw_only=True)

    def __post_init__(self) -> None:
        if self.diagnosis not in DIAGNOSES:
            msg = (
                f"`diagnosis` must be one of {sorted(DIAGNOSES)}, got {self.diagnosis!r}; "
                "add new codes to linstab.check._feedback.DIAGNOSES."
            )
            raise ValueError(msg)

    def __bool__(self) -> bool:
        return self.correct

    @property
    def headline(self) -> str:
        """``"Correct."`` or ``"Not yet."``."""
        return "Correct." if self.correct else "Not yet."

    def __str__(self) -> str:
        lines = [f"{self.headline} {self.message}"]
        lines += [f"  - {d}" for d in self.details]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        # Markdown passes raw HTML through: escape what may quote the student's answer
        mark = "✅" if self.correct else "❌"
        lines = [f"{mark} **{self.headline}** {html.escape(self.message, quote=False)}"]
        if self.details:
            lines.append("")
            lines += [f"- {html.escape(d, quote=False)}" for d in self.details]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#1b7837" if self.correct else "#b2182b"
        mark = "&#10004;" if self.correct else "&#10008;"
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        details = f"<ul style='margin:0.3em 0 0 1em'>{items}</ul>" if items else ""
        return (
            f"<div class='linstab-feedback linstab-feedback-{'correct' if self.correct else 'wrong'}' "
            f"data-diagnosis='{html.escape(self.diagnosis)}' "
            f"style='border-left:4px solid {colour};padding:0.4em 0.8em;margin:0.4em 0'>"
            f"<strong style='color:{colour}'>{mark} {self.headline}</strong> "
            f"{html.escape(self.message)}{details}</div>"
        )
