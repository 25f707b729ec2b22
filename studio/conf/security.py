"""HTTPS and cookie settings (settings.py reads the switches from the environment; this module reads nothing).

With DEBUG off each switch defaults to on, so `manage.py check --deploy` is clean out of the box; a set-up
behind a TLS-terminating proxy turns on STUDIO_BEHIND_PROXY, and a plain-HTTP trial turns the others off.
"""


def security_settings(*, ssl_redirect: bool, hsts_seconds: int, hsts_include_subdomains: bool, hsts_preload: bool,
                      secure_cookies: bool, behind_proxy: bool) -> dict:
    settings = {
        "SECURE_SSL_REDIRECT": ssl_redirect,
        # Probes of the load balancer and Prometheus talk plain HTTP inside the network.
        "SECURE_REDIRECT_EXEMPT": [r"^healthz$", r"^readyz$", r"^metrics$"],
        "SECURE_HSTS_SECONDS": hsts_seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": hsts_include_subdomains,
        "SECURE_HSTS_PRELOAD": hsts_preload,
        "SESSION_COOKIE_SECURE": secure_cookies,
        "CSRF_COOKIE_SECURE": secure_cookies,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
    }
    if behind_proxy:
        # Only behind a proxy that sets (and strips from clients) X-Forwarded-Proto may the header be trusted.
        settings["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings
