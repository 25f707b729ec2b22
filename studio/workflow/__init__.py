"""Team workflow on top of jobs and images: presets, batches, collections, reviews, notifications, webhooks."""
