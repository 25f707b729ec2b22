"""The append-only audit trail: who did what, when, from where. The bottom layer: every service may record here."""
