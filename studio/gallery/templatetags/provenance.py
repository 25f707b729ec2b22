"""Provenance on the image page, as inclusion tags so the page view stays as it is:

    {% load provenance %}
    {% content_credentials image %}   the "Content credentials" panel (from the stored summary: no query)
    {% similar_images image %}        "Similar images" the viewer may see (two indexed queries)
"""
from django import template

from studio.gallery.credentials import describe
from studio.gallery.similar import MAX_DISTANCE, similar_images as find_similar

register = template.Library()


@register.inclusion_tag("gallery/_credentials.html")
def content_credentials(image):
    summary = image.credentials or {}
    return {"image": image, "summary": summary, "words": describe(summary), "read": bool(image.provenance_read_at)}


@register.inclusion_tag("gallery/_similar.html", takes_context=True)
def similar_images(context, image):
    user = context["request"].user
    return {"image": image, "similar": find_similar(user, image), "max_distance": MAX_DISTANCE,
            "read": bool(image.provenance_read_at)}
