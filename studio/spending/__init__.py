"""Budgets, reservations and the spend ledger, per-person rate limits, spend pages and alerts.

Below generation: a ledger row names its job by id and never imports it.
"""
