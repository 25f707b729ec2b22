"""Confirm pages for destructive actions: GET asks, POST does it.

A destructive control is a GET form (`data-confirm`), so without JavaScript the browser lands on this
page and the person confirms with a POST; static/studio/confirm.js turns the same control into a
<dialog> on the page it is on. The view keeps its own authorization: it calls `confirm_page` only after
deciding the person may see what is named, so the page says nothing a 404 would hide.
"""
from django.shortcuts import render


def confirm_page(request, *, question: str, button: str, cancel_url: str, detail: str = "",
                 hidden: dict | None = None):
    """The page that asks `question`, with `button` posting to this same URL and a way back."""
    return render(request, "confirm.html", {
        "question": question, "detail": detail, "button": button, "cancel_url": cancel_url,
        "action": request.path, "hidden": (hidden or {}).items(),
    })
