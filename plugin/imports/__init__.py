"""Imports of a store's history from files (``storelift import orders``).

A package of its own because it is a way in for data that is neither the
platform's webhooks nor its API: what it writes lands in the same tables, so
everything downstream treats imported rows like any others.
"""
