"""Progress on long work: tqdm's bar where tqdm is installed, else a plain line on stderr.

The core install has no tqdm (it comes with the ``grn`` extra), so the fallback prints at most one
line a second, ``desc: 40% (36,000/90,000 points, 2,950 points/s)``, and a last line when done.
"""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["Progress"]


class Progress:
    """A counter of items done out of ``total``, shown on stderr (nothing when ``enabled`` is False).

    Examples
    --------
    >>> with Progress(10, "demo", enabled=False) as bar:
    ...     bar.update(4); bar.note("stage 2"); bar.update(6)
    >>> bar.done
    10
    """

    def __init__(self, total: int, desc: str, *, unit: str = "point", enabled: bool = True) -> None:
        self.total, self.desc, self.unit, self.enabled = int(total), desc, unit, enabled
        self.done = 0
        self._note = ""
        self._bar: Any = None
        self._t0 = self._last = time.perf_counter()
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:  # the core install: the plain fallback
                return
            self._bar = tqdm(total=self.total, desc=desc, unit=unit, leave=True, file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += int(n)
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(int(n))
        elif time.perf_counter() - self._last >= 1.0:
            self._print()

    def note(self, text: str) -> None:
        """A short word on the current stage, shown after the count."""
        self._note = text
        if self.enabled and self._bar is not None:
            self._bar.set_postfix_str(text)

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            self._print()

    def _print(self) -> None:
        self._last = now = time.perf_counter()
        rate = self.done / max(now - self._t0, 1e-9)
        pct = 100 * self.done / self.total if self.total else 100.0
        note = f"; {self._note}" if self._note else ""
        print(f"{self.desc}: {pct:.0f}% ({self.done:,}/{self.total:,} {self.unit}s, {rate:,.0f} {self.unit}s/s{note})",
              file=sys.stderr, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
