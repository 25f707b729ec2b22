"""Signals the spending app sends, so higher layers (workflow's notifications) follow without being imported."""
from django.dispatch import Signal

# Sent when a budget crosses 80 % or 100 % in a month (once per threshold): `people` told, `message`, `url`.
budget_alert = Signal()
