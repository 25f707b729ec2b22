"""Downloads: the original byte for byte, and a copy with its details, named from the prompt.

The original comes through `serve_key` exactly as stored (a presigned S3 URL answers with the same
Content-Disposition). The copy with details is made per request by `details.with_details` and is
never stored over the original. The same doors as every image view: `visible_to`, or a live share link.
"""
from django.http import Http404, HttpResponse

from . import storage
from .details import SUPPORTED, CannotAddDetails, with_details
from .naming import image_file_name
from .serving import behind_a_link, serve_key
from .sharing import shared_image
from .shortcuts import visible_image_or_404


def image_download(request, pk):
    if not request.user.is_authenticated:
        raise Http404("No such image.")
    image = visible_image_or_404(request.user, pk)
    return original_response(image)


def shared_download(request, token):
    found = shared_image(token)
    if found is None:
        raise Http404("This link does not exist, has expired or was revoked.")
    return behind_a_link(original_response(found[1]))


def image_download_with_details(request, pk):
    if not request.user.is_authenticated:
        raise Http404("No such image.")
    image = visible_image_or_404(request.user, pk)
    if not image.is_stored or image.content_type not in SUPPORTED:
        raise Http404("This image has no copy with details.")
    original = b"".join(storage.iter_key(image.storage_key))
    if not original:
        raise Http404("The file is missing from storage.")
    try:
        data = with_details(original, image.content_type, prompt=image.prompt, model=image.model,
                            link=request.build_absolute_uri(image.get_absolute_url()),
                            width=image.width, height=image.height)
    except CannotAddDetails as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(data, content_type=image.content_type)
    response["Content-Disposition"] = image_file_name(image, suffix="-details").content_disposition()
    response["Cache-Control"] = "private, no-store"
    return response


def original_response(image):
    """The stored original, byte for byte, named from its prompt (every door that may show it ends here)."""
    if not image.is_stored:
        raise Http404("This image has no stored file.")
    return serve_key(image.storage_key, content_type=image.content_type,
                     attachment=image_file_name(image).content_disposition())
