from django.db import models


class Role(models.TextChoices):
    """What a person may do in a team: owners manage it, members also spend for it, viewers only look."""

    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"
