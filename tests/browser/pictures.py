"""Checks on <img> elements that wait for a picture still on its way, instead of judging it in the
instant after the page was parsed (thumbnails load lazily, previews arrive while a job runs)."""


def natural_width(img) -> int:
    """The decoded width of the picture, 0 if it failed to load."""
    img.scroll_into_view_if_needed()
    return img.evaluate("""img => img.complete ? img.naturalWidth : new Promise(resolve => {
        img.addEventListener("load", () => resolve(img.naturalWidth), {once: true});
        img.addEventListener("error", () => resolve(0), {once: true});
    })""")


def loaded(img) -> bool:
    return natural_width(img) > 0
