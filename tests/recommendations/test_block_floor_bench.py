"""``bench.block_floor`` on a small store: every stage route answers as the real block route does.

The benchmark's figures are only as good as its stand-in routes: a stage that answered an error
(a signature it could not check, a read that failed) would be fast for the wrong reason. The
closed loop counts every answer other than 200 as an error, so this asserts there are none.
"""

from __future__ import annotations

from bench.block_floor import measure
from bench.recommendations import phase_import


def test_every_stage_of_the_block_floor_answers_200(tmp_path):
    db = str(tmp_path / "bench.db")
    phase_import(db, products=300, lines=3_000)
    runs = measure(db, products=300, rounds=1, requests=60)
    assert set(runs) == {"bare", "door", "page", "stored", "best sellers", "mix"}
    for name, (run,) in runs.items():
        assert run.errors == 0 and run.requests == 60, name
