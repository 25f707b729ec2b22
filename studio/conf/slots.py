"""Template slots: places in lower apps' pages where higher apps add a part of their own.

A page of `gallery` or `generation` says `{% slot "image_page" %}`; the templates listed here for that
slot are rendered there with the page's context. So the workflow app (presets, reviews, notifications)
shows itself on the image page, the job form and the navigation without those apps knowing it exists.
"""
TEMPLATE_SLOTS = {
    "nav": ["workflow/slots/nav.html"],  # Presets, Collections, Notifications
    "job_form": ["workflow/slots/job_form.html"],
    "job_form_actions": ["workflow/slots/job_form_actions.html"],
    "job_page": ["workflow/slots/job_page.html"],
    "image_page": ["workflow/slots/image_collections.html", "workflow/slots/image_review.html"],
    "bulk_tools": ["workflow/slots/bulk_tools.html"],  # the gallery's toolbar for ticked images
    "search_results": ["workflow/slots/search_presets.html"],
    "account": ["workflow/slots/account_notifications.html"],
    "team_owner_links": ["workflow/slots/team_owner_links.html"],  # the members page's links, for owners
}
