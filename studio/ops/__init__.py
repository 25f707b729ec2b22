"""Operations: the operations page, health and readiness, metrics, logging set-up, verify and backup commands."""
