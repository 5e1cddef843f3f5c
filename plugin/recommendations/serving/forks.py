"""Copy-on-write forks of a published model, so new feed rows never change what a request is reading.

A published snapshot is read by any number of request threads at once,
without a lock (``registry``). New orders and products are therefore applied
to a *fork*: a new model that shares every structure the apply leaves alone
and owns a copy of each one it changes. Copying the whole model per apply is
out of the question at 50,000 products (hundreds of MB; copying even one of
its 300,000-entry maps holds every thread for tens of milliseconds), so a
fork (``ServingModel.fork``) copies:

* the per-item counts every order changes in place (``array`` copies, which
  the garbage collector never walks) and trending's decayed sums, which reads
  iterate: about a millisecond per apply batch at 50,000 products;
* the interning map and item list, only when an order brings a new item;
* the co-count row of each item of an order, just before the order changes
  it, into the fork's own layer of the rows (``LayeredRows``);
* per-shopper and per-item maps (histories, purchases, basket postings, the
  cached candidate rows) through ``Layered``: a fork writes a copy of each
  value it changes into its own small layer over the shared ones, so a fork
  costs the size of the layers written since the last fold (at most
  ``FOLD_AT`` entries).

What stays shared is written only in ways that readers of an older model
cannot see: the ids of counted orders only grow, and only the one writer
reads them (to skip an order already counted); the basket store only gains
baskets (``ServingBaskets``). ``ServingModel.fork`` refuses a model with a
part it does not know how to treat, so a new structure in the engine fails
loudly here instead of being shared by mistake.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Iterator

from ..engine.baskets import BasketIndex

FOLD_AT = 4096  # top-layer entries of a Layered map that make the next fork fold them into a new base
RETIRED_REBUILD = 50_000  # baskets kept only for older models' readers (about 200 bytes each) before a rebuild


class SharedLRU(OrderedDict):
    """A least-recently-used map that request threads read and fill at the same time.

    Each operation holds the map's own lock for its few microseconds (a key's
    hash may run Python code, which lets another thread in half-way through
    an ``OrderedDict`` operation). Between one thread's ``get`` and its
    ``move_to_end``, another may still evict that key, and two threads may
    both evict the last entry: either is a cache miss, not an error.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            return super().get(key, default)

    def __setitem__(self, key, value) -> None:
        with self._lock:
            super().__setitem__(key, value)

    def move_to_end(self, key, last: bool = True) -> None:
        with self._lock:
            if key in self:
                super().move_to_end(key, last)

    def popitem(self, last: bool = True):
        with self._lock:
            return super().popitem(last) if self else None


class Layered:
    """A map shared by a model and its forks, in three layers, newest first.

    ``own`` holds what this fork wrote; ``recent`` what its ancestors wrote
    since the last fold, and ``base`` the rest: both are read-only, shared
    with older models. ``gone`` names the keys removed since the base (the
    engine drops an item's cached candidates when the item sells again).
    Only ``setdefault`` hands out a value to change (the engine's one way of
    growing a shopper's history or purchases, or an item's postings), and it
    first copies an inherited value into ``own``, so nothing a reader of an
    older model holds ever changes. A fork costs the size of ``recent`` and
    ``gone``, which are folded into a new ``base`` once they pass ``FOLD_AT``
    entries.
    """

    __slots__ = ("_base", "_recent", "_gone", "_own")

    def __init__(self, base: dict, recent: dict | None = None, gone: set | None = None):
        self._base = base
        self._recent = {} if recent is None else recent
        self._gone = set() if gone is None else gone
        self._own: dict = {}

    @classmethod
    def over(cls, found) -> "Layered":
        """A fork's view of ``found`` (a plain map while the model was private, or a ``Layered``)."""
        if not isinstance(found, Layered):
            return cls(found)
        own = dict(found._own)  # one step: request threads may be filling it (a cache)
        recent = {**found._recent, **own}
        gone = {key for key in found._gone if key not in own}
        if len(recent) + len(gone) > FOLD_AT:
            return cls({key: value for key, value in {**found._base, **recent}.items() if key not in gone})
        return cls(found._base, recent, gone)

    def _inherited(self, key, default=None):
        if key in self._gone:
            return default
        found = self._recent.get(key)
        return found if found is not None else self._base.get(key, default)

    def get(self, key, default=None):
        found = self._own.get(key)
        return found if found is not None else self._inherited(key, default)

    def __getitem__(self, key):
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def setdefault(self, key, default):
        found = self._own.get(key)
        if found is None:
            inherited = self._inherited(key)
            found = self._own[key] = default if inherited is None else copy.copy(inherited)
        return found

    def __setitem__(self, key, value) -> None:
        self._own[key] = value

    def pop(self, key, default=None):
        self._gone.add(key)
        return self._own.pop(key, default)

    def __iter__(self) -> Iterator:
        own, gone = self._own, self._gone
        newer = {**self._recent, **own}
        yield from (key for key in newer if key in own or key not in gone)
        yield from (key for key in self._base if key not in newer and key not in gone)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class LayeredRows:
    """The co-count rows (one dict per interned item, a list in the engine), shared by a model and
    its forks as ``Layered`` shares a map: ``own`` holds the rows this fork copied and changed,
    ``recent`` those its ancestors changed since the last fold, and ``base`` the rest.

    Not a copy of the list per fork: that copy was only pointers (a millisecond), but it was a new
    container of 48,224 references at 50,000 products, which the collector's next young
    collections walked twice: 2 to 5 ms after every applied order, during which no request thread
    runs. A fork now costs the size of ``recent`` (folded into a new base past ``FOLD_AT`` rows).
    """

    __slots__ = ("_base", "_recent", "_own", "_length")

    def __init__(self, base: list, recent: dict | None = None, length: int | None = None):
        self._base = base
        self._recent = {} if recent is None else recent
        self._own: dict = {}
        self._length = len(base) if length is None else length

    @classmethod
    def over(cls, found) -> "LayeredRows":
        """A fork's view of ``found`` (the engine's list while the model was private, or a ``LayeredRows``)."""
        if not isinstance(found, LayeredRows):
            return cls(found)
        recent = {**found._recent, **found._own}  # only the writer fills ``own``, and it forks after
        if len(recent) <= FOLD_AT:
            return cls(found._base, recent, found._length)
        base = found._base + [None] * (found._length - len(found._base))  # rows appended since sit in ``recent``
        for index, row in recent.items():
            base[index] = row
        return cls(base)

    def __getitem__(self, index: int) -> dict:
        row = self._own.get(index)
        if row is None:
            row = self._recent.get(index)
            if row is None:
                return self._base[index]
        return row

    def own(self, index: int) -> None:
        """Make ``index``'s row this fork's own copy, which an order may then change (as
        ``Layered.setdefault`` hands out a value to change)."""
        if index not in self._own:
            self._own[index] = dict(self[index])

    def append(self, row: dict) -> None:
        self._own[self._length] = row
        self._length += 1


class ServingBaskets(BasketIndex):
    """The engine's basket index, forkable: postings are copied on write, and a fork only adds baskets."""

    def __init__(self, per_item: int):
        super().__init__(per_item)
        self.retired = 0  # baskets no posting of this model names, kept because an older model's may

    def fork(self) -> "ServingBaskets":
        twin = copy.copy(self)
        twin._postings = Layered.over(self._postings)
        return twin

    def _release(self, key) -> None:
        if not isinstance(self._postings, Layered):  # never forked: nobody else can read it
            super()._release(key)
            return
        left = self._refs[key] - 1
        if left:
            self._refs[key] = left
        else:
            del self._refs[key]
            self.retired += 1
