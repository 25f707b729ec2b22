"""The workflow app's models, one module per feature."""
from .notifications import Notification, NotificationSettings  # noqa: F401
from .presets import Preset, PresetUse, PresetVersion, fill, variables_in  # noqa: F401
from .reviews import Comment, ImageReview, ReviewState, mentioned_names  # noqa: F401
from .collections import Collection, CollectionItem, CollectionLink  # noqa: F401
from .batches import Batch, BatchItem  # noqa: F401
from .webhooks import Webhook, WebhookAttempt, WebhookDelivery  # noqa: F401
