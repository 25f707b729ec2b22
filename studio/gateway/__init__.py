"""Studio's own OpenAI-compatible /v1 Images API: token auth, idempotency, waiting and streaming relay."""
