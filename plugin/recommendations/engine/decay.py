"""Exponentially time-decayed counts that take one event in O(1).

A count decays by half every ``half_life`` seconds. Decaying every stored value
on each event would cost O(catalog) per order, so the counter stores each event
*grown* to a shared origin instead: an event at ``t`` adds ``w * 2**((t - origin)
/ half_life)``. The decayed value at any ``now`` is that times ``2**(-(now -
origin) / half_life)``, the same factor for every key, so ratios between keys
(``relative``, all the engine reads) never depend on the clock. The grown values would
overflow after ~1000 half-lives, so the origin moves forward (one O(n) rescale)
once an event lands more than ``REBASE_AFTER`` half-lives past it: amortised
O(1) per event. Events may arrive out of order; an older event simply adds a
smaller grown weight.
"""

from __future__ import annotations

from collections.abc import Hashable

REBASE_AFTER = 64.0  # half-lives: grown values stay within 2**64 of their weights, far below float overflow


def decay_factor(age: float, half_life: float) -> float:
    """Weight of an event ``age`` seconds old (1.0 when fresh, 0.5 after one half-life)."""
    return 2.0 ** (-age / half_life)


class DecayedCounter:
    """Per-key decayed sums with a running maximum (for a scale-free normalised score)."""

    __slots__ = ("half_life", "origin", "grown", "max_grown")

    def __init__(self, half_life: float):
        if half_life <= 0:
            raise ValueError("half_life must be positive")
        self.half_life = half_life
        self.origin: float | None = None
        self.grown: dict[Hashable, float] = {}
        self.max_grown = 0.0

    def add(self, key: Hashable, weight: float, time: float) -> None:
        if self.origin is None:
            self.origin = time
        exponent = (time - self.origin) / self.half_life
        if exponent > REBASE_AFTER:
            self._rebase(time)
            exponent = 0.0
        value = self.grown.get(key, 0.0) + weight * 2.0**exponent
        self.grown[key] = value
        if value > self.max_grown:
            self.max_grown = value

    def _rebase(self, time: float) -> None:
        scale = 2.0 ** (-(time - self.origin) / self.half_life)
        self.grown = {key: value * scale for key, value in self.grown.items()}
        self.max_grown *= scale
        self.origin = time

    def relative(self, key: Hashable) -> float:
        """``key``'s score over the top key's, in [0, 1]; independent of the clock."""
        return self.grown.get(key, 0.0) / self.max_grown if self.max_grown else 0.0
