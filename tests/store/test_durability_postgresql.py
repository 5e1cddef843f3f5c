"""Which writes wait for the disk on PostgreSQL: promises do, a worker's claims and handlers do not."""

from __future__ import annotations

from ..support.database import only_on

pytestmark = only_on("postgresql", "SQLite's durability is its connections' synchronous pragma (test_group_commit)")


def synchronous_commit(transaction) -> str:
    return transaction.query("SHOW synchronous_commit")[0]["synchronous_commit"]


def test_a_write_waits_for_the_disk_unless_it_is_a_worker_s(store):
    # The suite's throwaway server does not wait for its disk at all; this database does, as production's would.
    store.database.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on',"
                           " current_database()); END $$")
    store.database.close()  # new sessions take the database's setting
    with store.database.write() as promise:
        assert synchronous_commit(promise) == "on"
    with store.database.write(durable=False) as worker:
        assert synchronous_commit(worker) == "off"
        with store.database.write() as nested:  # joins the worker's transaction: one commit for all of it
            assert nested is worker
    with store.database.write() as after:  # the worker's pool did not leak its setting into the promises'
        assert synchronous_commit(after) == "on"
