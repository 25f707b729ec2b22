"""Search over prompt and revised_prompt.

PostgreSQL: `websearch_to_tsquery` (quotes, OR, -word work as people expect) against the exact
expression of the GIN index in migration 0004. SQLite: every word must appear in the prompt or the
revised prompt (case-insensitive LIKE); slow on big archives, but SQLite archives are small.
"""
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

# Keep identical to the index expression in migrations/0004_search_index.py.
DOCUMENT_SQL = "to_tsvector('english'::regconfig, \"gallery_image\".\"prompt\" || ' ' || \"gallery_image\".\"revised_prompt\")"
MAX_QUERY_LENGTH = 200


def clean_query(raw: str) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def matching(queryset, query: str):
    """Narrow an image queryset (already through `visible_to`) to those matching `query`."""
    query = clean_query(query)
    if not query:
        return queryset.none()
    if connection.vendor == "postgresql":
        return queryset.filter(
            RawSQL(f"{DOCUMENT_SQL} @@ websearch_to_tsquery('english'::regconfig, %s)", (query,),
                   output_field=_boolean())
        )
    condition = Q()
    for word in query.replace('"', " ").split():
        word = word.lstrip("-")
        if word and word.upper() != "OR":
            condition &= Q(prompt__icontains=word) | Q(revised_prompt__icontains=word)
    return queryset.filter(condition)


def _boolean():
    from django.db.models import BooleanField

    return BooleanField()
