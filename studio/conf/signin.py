"""Sign-in throttling (django-axes): settings.py reads the switches from the environment, this builds the rest."""
from datetime import timedelta


def throttling_settings(*, cooloff_minutes: int, behind_proxy: bool) -> dict:
    """10 failures for one username from one address lock that pair out for the cool-off; a success resets
    the count. Studio's sign-in page is the admin's too, so the admin is throttled the same way."""
    settings = {
        "AXES_FAILURE_LIMIT": 10,
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
        "AXES_COOLOFF_TIME": timedelta(minutes=cooloff_minutes),
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT": False,  # the cool-off is what the page promises
        # allauth's form posts `login`, Django's admin form `username`: one callable reads either.
        "AXES_USERNAME_CALLABLE": "studio.accounts.throttling.username_tried",
        "AXES_LOCKOUT_CALLABLE": "studio.accounts.throttling.lockout_response",
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",),
    }
    if behind_proxy:  # the client's address is the proxy's X-Forwarded-For entry, not the proxy's own
        settings["AXES_IPWARE_PROXY_COUNT"] = 1
        settings["AXES_IPWARE_META_PRECEDENCE_ORDER"] = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    return settings
