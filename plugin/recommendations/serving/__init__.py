"""Recommendation blocks served: each shop's model in memory, kept current from the store.

How the model is kept, and why:

* **In memory, per process, built lazily.** The engine
  (``plugin.recommendations.engine``) is pure Python over dicts: a block is
  answered in about a millisecond from memory and would take far longer from
  SQL. A process builds a shop's model on the shop's first block request from
  the tables themselves (every non-cancelled order line in time order, every
  available product), so a model is never more wrong than the tables.
* **Kept current by tailing a change feed.** An order processed by any worker
  process is visible on the next block request in every serving process, with
  no shared memory and no message bus.
* **Read without a lock.** Requests read a published snapshot that nothing
  changes; new feed rows go to a copy-on-write fork that one thread at a time
  fills and publishes, so a block never waits for another or for an update.
* **Rebuilt when increments cannot be exact** (a cancellation after the order
  counted, a moved generation, a crash of the database server that may have
  taken back rows already read), in the request for a small shop and in the
  background for a large one, while the old model keeps serving.
* **``storelift rebuild`` persists a generation, not a model.** It recomputes
  in its own process (timed, so an operator sees what a rebuild costs) and
  bumps ``rec_state.generation``, which makes every serving process rebuild.
  Models are not saved: rebuilding from the tables takes seconds, is always
  right, and a saved copy would be one more thing to keep in step.

One module per step, so each can be read alone:

* ``rows``: store rows → engine records and display data, columns found by name;
* ``catalog``: the live catalog with its bounded new-arrivals view;
* ``snapshot``: the serving model and one shop's snapshot built from the tables;
* ``forks``: copy-on-write forks of a published model, so feed rows never change one being read;
* ``feed``: the change feed, appended by the handlers and tailed by each process;
* ``registry``: ``Models``, each process's snapshots (held by its services) and
  the background rebuild thread;
* ``answers``: a block's items from a snapshot, through its answer cache;
* ``api``: what the rest of Storelift calls.
"""
