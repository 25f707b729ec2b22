"""Search over prompt and revised_prompt.

PostgreSQL: `websearch_to_tsquery` (quotes, OR, -word work as people expect) against the exact
expression of the GIN index in migration 0005. That document also holds scope words (`o<owner id>`,
`t<team id>`), and the query ANDs the words typed with "mine or my teams'", so a common word costs
heap visits only for images the person may see. The queryset passed in has already been through
`visible_to`, which stays the rule; the scope words only narrow the index probe.

SQLite: every word must appear in the prompt or the revised prompt (case-insensitive LIKE); slow on
big archives, but SQLite archives are small.
"""
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

# Keep identical to the index expression in migrations/0005_search_index_scoped.py.
DOCUMENT_SQL = (
    "(to_tsvector('english'::regconfig, \"gallery_image\".\"prompt\" || ' ' || \"gallery_image\".\"revised_prompt\") || "
    "to_tsvector('simple'::regconfig, 'o' || \"gallery_image\".\"owner_id\"::text || "
    "coalesce(' t' || \"gallery_image\".\"team_id\"::text, '')))"
)
# "mine or my teams'" as a tsquery, built in the database from the person's memberships.
SCOPE_SQL = (
    "to_tsquery('simple'::regconfig, concat_ws(' | ', 'o' || %s::text, "
    "(SELECT string_agg('t' || m.team_id::text, ' | ') FROM accounts_membership m WHERE m.user_id = %s)))"
)
MAX_QUERY_LENGTH = 200


def clean_query(raw: str) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def matching(queryset, query: str, user):
    """Narrow an image queryset (already through `visible_to(user)`) to those matching `query`."""
    query = clean_query(query)
    if not query or not user.is_authenticated:
        return queryset.none()
    if connection.vendor == "postgresql":
        return queryset.filter(RawSQL(
            f"{DOCUMENT_SQL} @@ (websearch_to_tsquery('english'::regconfig, %s) && {SCOPE_SQL})",
            (query, user.pk, user.pk), output_field=BooleanField(),
        ))
    condition = Q()
    for word in query.replace('"', " ").split():
        word = word.lstrip("-")
        if word and word.upper() != "OR":
            condition &= Q(prompt__icontains=word) | Q(revised_prompt__icontains=word)
    return queryset.filter(condition)
