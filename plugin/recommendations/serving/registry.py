"""Each process's models, one slot per shop, and the one thread that rebuilds them in the background.

A process builds a shop's model on the shop's first block request. After
that, requests never wait for each other or for an update: ``current``
hands out the slot's published snapshot, which nothing changes, and reads
it without a lock. The first request that finds the slot's writer lock free
also brings the snapshot up to date, and a request that finds it taken
serves the published one as it is: one thread at a time applies the
change feed (to a draft that shares what the rows leave alone, see
``feed.tail``), rebuilds or installs, and publishes the result with one
assignment. Only a request with nothing to serve yet waits for a build.

The writer decides when the model must be rebuilt rather than tailed:

* Counts cannot be subtracted, so an order cancelled after it was counted
  marks the model stale; so does a moved generation (``api.invalidate``:
  ``storelift rebuild``, a bulk import, a customer redaction), a crash of
  the database server (its life token changed), a failed
  apply, or too many baskets kept for older snapshots' readers
  (``forks.RETIRED_REBUILD``). A small shop rebuilds on the spot; a large
  one rebuilds in the background thread (cancellations at most every
  ``REBUILD_DEBOUNCE_S``) while the old model keeps serving. Order edits
  that change lines count from the next rebuild.
* Bounded memory: a shop's model not used for ``IDLE_EVICT_S`` is dropped (and
  rebuilt on its next use), so feed rows older than ``feed.FEED_KEEP_MS`` can
  be pruned: no live model can still need them. A replaced snapshot is freed
  when its last request is done with it.

Why the background rebuild is a thread of this registry and not a job of
the runner (plugin/jobs): the model is this process's memory. A durable job
would be claimed by whichever runner comes first, often a ``storelift
worker`` process that serves no blocks and would build a model nobody reads,
and it would outlive the process that needed it. What must cross processes
is already durable: ``storelift rebuild``, an import or a redaction moves
the shop's generation in the database, and every serving process sees it on
its next block request (``_needs_rebuild``) and rebuilds its own copy here.
The thread builds without any lock and takes the slot's writer lock only to
apply the feed rows written meanwhile and publish. So the rebuilder stays
one thread per process, owned by the registry, which logs every failure and
retries after ``RETRY_S``; the test of background work
(tests/jobs/test_every_background_work.py) names it as the one allowed thread
besides the runner's and the servers'. One ``Models`` per process
and database, held by the process's services (``plugin.services``), never a
module global: two apps in one process keep their own models.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from dataclasses import replace

from ...store import Store
from .feed import TAIL_BATCH, tail
from .snapshot import Snapshot, build

log = logging.getLogger("storelift.recommendations")

IDLE_EVICT_S = 3600.0
SWEEP_EVERY_S = 60.0
INLINE_REBUILD_ORDERS = 5_000  # below this a rebuild runs in the request (tens of ms)
# A build in the request fits the cart block's EASE^R on at most this many items: the fit grows with the
# cube of the items (measured here: 0.07 s for 1,000, 0.34 s for 3,000, 2.8 s for 4,000 on a busy machine),
# and the shopper waits.
INLINE_EASE_ITEMS = 1_000
REBUILD_DEBOUNCE_S = 600.0  # background rebuilds for cancellations, at most this often
RETRY_S = 30.0  # after a failed background build


class _Slot:
    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None  # published: read by any number of requests, never changed
        self.writer = threading.Lock()  # held by the one thread applying the feed, rebuilding or installing
        self.building = False
        self.last_rebuild = 0.0


class Models:
    """Every shop's model slot for one store (one database), and the background rebuilder."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._slots: dict[str, _Slot] = {}
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._swept = time.monotonic()

    def _slot(self, shop: str) -> _Slot:
        with self._lock:
            slot = self._slots.get(shop)
            if slot is None:
                slot = self._slots[shop] = _Slot()
            now = time.monotonic()
            if now - self._swept > SWEEP_EVERY_S:
                self._swept = now
                for other in self._slots.values():
                    snap = other.snapshot
                    if other is not slot and snap is not None and now - snap.last_used > IDLE_EVICT_S:
                        other.snapshot = None  # memory back; rebuilt on next use
            return slot

    def _rebuild_in_background(self, shop: str, slot: _Slot) -> None:
        """Queue a rebuild on the process's one rebuilder thread (one connection, one build at a time)."""
        if slot.building:
            return
        slot.building = True
        self._jobs.put((weakref.ref(self.store), shop, slot))
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=_rebuilder, args=(self._jobs,), daemon=True,
                                                name="storelift-recs-rebuild")
                self._worker.start()

    def current(self, shop: str) -> Snapshot:
        """The shop's snapshot to answer from: published, so the caller may read it as long as it likes."""
        slot = self._slot(shop)
        snap = slot.snapshot
        if snap is None or _idle(snap):
            with slot.writer:  # nothing to serve: wait for the first build (or the thread doing it)
                snap = slot.snapshot
                if snap is None or _idle(snap):
                    snap = self._first(shop, slot)
        elif slot.writer.acquire(blocking=False):  # else another thread is updating: serve this one
            try:
                snap = self._update(shop, slot, slot.snapshot or snap)  # None: just evicted
            finally:
                slot.writer.release()
        snap.last_used = time.monotonic()
        return snap

    def _first(self, shop: str, slot: _Slot) -> Snapshot:
        if self.store.recommendations.order_count(shop) <= INLINE_REBUILD_ORDERS:
            # First use: the caller waits (tens of ms).
            snap = build(self.store, shop, ease_items=INLINE_EASE_ITEMS)
            slot.last_rebuild = time.monotonic()
        else:  # seconds of work: serve the catalog meanwhile
            snap = build(self.store, shop, orders=False)
            self._rebuild_in_background(shop, slot)
        slot.snapshot = snap
        return snap

    def _update(self, shop: str, slot: _Slot, snap: Snapshot) -> Snapshot:
        """Apply the feed to ``snap`` (or rebuild), publish the result and return it. Holds the writer lock."""
        store = self.store
        try:
            generation, pruned, life, changes = store.recommendations.feed_news(shop, snap.cursor, TAIL_BATCH)
            moved = _needs_rebuild(snap, generation, pruned, life)
            if snap.provisional:  # the catalog alone: read again (about a second at 50,000 products) if moved
                fresh = build(store, shop, orders=False) if moved else tail(store, shop, snap, changes)
                if not slot.building and time.monotonic() - slot.last_rebuild > RETRY_S:  # the build failed
                    self._rebuild_in_background(shop, slot)
            else:
                fresh = tail(store, shop, snap, changes)
                if moved or fresh.stale:
                    if fresh.model.order_count <= INLINE_REBUILD_ORDERS:
                        fresh = build(store, shop, ease_items=INLINE_EASE_ITEMS)
                        slot.last_rebuild = time.monotonic()
                    elif (moved or fresh.broken or time.monotonic() - slot.last_rebuild > REBUILD_DEBOUNCE_S):
                        self._rebuild_in_background(shop, slot)
        except Exception:  # a draft may have written what it shares with ``snap``: rebuild, serve ``snap`` meanwhile
            log.exception("updating the model of %s failed; it serves as it was until rebuilt", shop)
            fresh = replace(snap, broken=True)
        slot.snapshot = fresh
        return fresh

    def install(self, shop: str, snap: Snapshot) -> None:
        """Serve ``snap`` from now on in this process (a rebuild done outside ``current``)."""
        slot = self._slot(shop)
        with slot.writer:
            slot.snapshot = snap
            slot.last_rebuild = time.monotonic()


def _rebuilder(jobs: queue.SimpleQueue) -> None:
    while True:
        ref, shop, slot = jobs.get()
        store = ref()
        if store is None:
            slot.building = False
            continue
        try:
            fresh = build(store, shop)
            with slot.writer:  # requests keep serving the old snapshot meanwhile
                slot.snapshot = tail(store, shop, fresh)
                slot.last_rebuild = time.monotonic()
        except Exception:  # a failed rebuild leaves the old model serving; retried after RETRY_S
            log.exception("background rebuild of %s failed", shop)
            slot.last_rebuild = time.monotonic()
        finally:
            slot.building = False
        del store


def _idle(snap: Snapshot) -> bool:
    """Unused for so long that feed rows it still needs may be pruned: rebuild before serving it."""
    return time.monotonic() - snap.last_used > IDLE_EVICT_S


def _needs_rebuild(snap: Snapshot, generation: int, pruned: int, life: int | None) -> bool:
    """A moved generation; rows at the pruned position that may be gone before this snapshot read
    them all; or a crash of the database server since it was built, which may have taken back rows
    it read (plugin/store/recommendations.py): in each case, rebuild from the tables."""
    return generation != snap.generation or (pruned > 0 and pruned >= snap.cursor[0]) or life != snap.life
