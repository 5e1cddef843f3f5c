"""Alembic's revision files, one per released step (Alembic skips this file).

A package so that setuptools installs the revisions with Storelift: Alembic
reads them from disk at run time, next to ``env.py``.
"""
