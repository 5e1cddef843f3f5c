"""Schema steps for the always-on holdouts: each shop's assignment salt, experiment periods, exposures.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, TEXT, col, id_key, key


def experiments() -> None:
    """Periods and exposures.

    - ``experiment_salts``: one random salt per shop, mixed into every assignment hash so
      buckets cannot be predicted from a customer id and differ between shops.
    - ``experiment_periods``: a surface's experiment with one split and outcome window, from
      ``started_at`` until a changed setting ends it (``ended_at``); periods are never mixed,
      and at most one is open per surface (the partial unique index).
    - ``experiment_exposures``: a person's arm and first exposure in one period. The arm is
      kept when identity stitching merges people; ``crossed`` counts the people merged in
      who had been exposed to the other arm.
    """
    op.create_table(
        "experiment_salts",
        key("shop"),
        col("salt", TEXT, nullable=False),
        col("created_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop"),
    )
    op.create_table(
        "experiment_periods",
        id_key(),
        key("shop"),
        col("experiment", TEXT, nullable=False),
        col("control_bps", BIGINT, nullable=False),
        col("window_days", BIGINT, nullable=False),
        col("started_at", BIGINT, nullable=False),
        col("ended_at", BIGINT),
    )
    op.create_index("experiment_periods_open", "experiment_periods", ["shop", "experiment"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL"))
    op.create_table(
        "experiment_exposures",
        id_key(),
        key("shop"),
        col("period_id", BIGINT, nullable=False),
        col("person_id", TEXT, nullable=False),
        col("arm", TEXT, nullable=False),
        col("first_exposed_at", BIGINT, nullable=False),
        col("crossed", BIGINT, nullable=False, default=0),
        sa.UniqueConstraint("shop", "period_id", "person_id"),
        sa.ForeignKeyConstraint(["period_id"], ["experiment_periods.id"], ondelete="CASCADE"),
    )
    op.create_index("experiment_exposures_person", "experiment_exposures", ["shop", "person_id"])


def block_control() -> None:
    """What a period's control arm sees, when the surface offers a choice: a recommendation block's
    control gets the shop's best sellers (``''``, the default) or an empty slot of the same size
    (``'empty'``). A changed choice starts a new period, like a changed split."""
    op.add_column("experiment_periods", col("control", TEXT, nullable=False, default=""))
