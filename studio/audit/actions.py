"""Every action the audit trail knows, named as the issues name them. A feature adds its own here.

`record()` refuses a name not listed, so a typo cannot start a second spelling of an action.
"""
ACTIONS = frozenset({
    "sign_in", "sign_out", "sign_in.failed", "sign_in.locked_out",
    "job.submitted",
    "image.moved", "image.trashed", "image.restored", "image.purged",
    "share_link.created", "share_link.revoked",
    "export.downloaded",
    "token.created", "token.revoked",
    "budget.changed", "notice.dismissed",
    "member.added", "member.role_changed", "member.removed",
    "invite.sent", "invite.accepted", "invite.revoked",
    "provider.changed",
    "provider.tested",
    "preset.created", "preset.changed", "preset.deleted",
    "review.requested", "review.approved", "review.changes_requested", "comment.added",
    "notifications.changed",
    "collection.created", "collection.images_added", "collection.image_removed", "collection.reordered",
    "collection.deleted", "collection_link.created", "collection_link.revoked",
    "batch.submitted", "batch.cancelled", "batch.retried",
    "webhook.created", "webhook.changed", "webhook.deleted", "webhook.delivered",
})
