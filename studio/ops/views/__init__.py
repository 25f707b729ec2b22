"""Operations pages: health and readiness, /metrics, the operations page, and the audit pages."""
