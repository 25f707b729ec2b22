"""Hand image bytes to a browser that has already been allowed to see them."""
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect


def serve_key(key: str, *, content_type: str, filename: str | None = None, attachment: str | None = None):
    """Stream from the filesystem, or redirect to a short-lived presigned URL when storage can sign.

    `attachment` is a whole Content-Disposition value (naming.FileName.content_disposition()): the
    bytes are the same, the browser saves them instead of showing them; S3 answers with it too.
    """
    if not key:
        raise Http404("No stored file.")
    if _storage_signs_urls():
        if attachment:
            return HttpResponseRedirect(default_storage.url(key, parameters={
                "ResponseContentDisposition": attachment, "ResponseContentType": content_type}))
        return HttpResponseRedirect(default_storage.url(key))
    try:
        fh = default_storage.open(key, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(fh, content_type=content_type, filename=filename)
    if attachment:
        response["Content-Disposition"] = attachment
    # Private: the permission check ran for this viewer; shared caches must not keep it.
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _storage_signs_urls() -> bool:
    return getattr(default_storage, "querystring_auth", False)


def behind_a_link(response):
    """A response served to whoever holds a link (share, collection or API link), not to a session."""
    response["Cache-Control"] = "private, no-store"  # revocation must bite at once
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the token must not leak to other sites
    return response
