"""`{% slot "name" %}`: render the templates settings.STUDIO_TEMPLATE_SLOTS lists for a place in a page.

See studio/conf/slots.py: higher apps add their parts to lower apps' pages this way, so no lower app
imports them.
"""
from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, name: str):
    engine = context.template.engine
    parts = [engine.get_template(path).render(context) for path in settings.STUDIO_TEMPLATE_SLOTS.get(name, ())]
    return mark_safe("".join(parts))  # each part is a template, escaped as it rendered
