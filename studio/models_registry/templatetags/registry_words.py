from django import template

from studio.models_registry.wording import settings_in_words

register = template.Library()


@register.filter
def in_words(params):
    """`{% for label, value in job.params|in_words %}`: every parameter sent, in the registry's words."""
    return settings_in_words(params)
