"""The column types every schema step uses, so the two engines get the DDL they need from one description.

- ``id_key()``: a 64-bit surrogate key that numbers itself on both engines.
  On SQLite its declared type must be exactly ``INTEGER`` so the column is an
  alias of the rowid (SQLite numbers only such a column, and an ``INTEGER``
  primary key costs no second index); on PostgreSQL it is ``BIGINT`` with a
  sequence (``BIGSERIAL``), because ids of busy tables (events, deliveries)
  outgrow 32 bits.
- ``BIGINT`` for every integer: epoch-milliseconds overflow 32 bits, and
  counts and attempts are cheap to keep the same width (SQLite stores any
  integer in up to 8 bytes whatever the declaration).
- ``TEXT`` for strings, JSON, decimal money and platform ids (which exceed
  2^53, too big for JavaScript numbers); ``BLOB`` bodies are ``BYTEA`` on
  PostgreSQL (``sa.LargeBinary``).
"""

from __future__ import annotations

import sqlalchemy as sa

TEXT = sa.Text
BIGINT = sa.BigInteger
BLOB = sa.LargeBinary
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def id_key() -> sa.Column:
    return sa.Column("id", ID, primary_key=True, autoincrement=True)


def col(name: str, type_, *, nullable: bool = True, default: str | int | None = None) -> sa.Column:
    """A column; ``default`` is the server-side default: text for ``str``, a number for ``int``."""
    if default is None:
        server_default = None
    elif isinstance(default, int):
        server_default = sa.text(str(default))
    else:
        server_default = default
    return sa.Column(name, type_(), nullable=nullable, server_default=server_default)


def key(name: str) -> sa.Column:
    """A text column that is part of a natural primary key (``shop``, a platform id…)."""
    return sa.Column(name, sa.Text(), nullable=False)
