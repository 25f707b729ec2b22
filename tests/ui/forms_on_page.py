"""What a browser would send for a form on a page if the person touched nothing (stdlib HTML parser only)."""
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}
        self._select, self._select_first, self._select_chosen = None, None, None
        self._textarea, self._text = None, []
        self.hidden_names: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind == "hidden":
                self.hidden_names.append(name)
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("file", "submit", "button"):
                self.values.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs and self._select_chosen is None:
                self._select_chosen = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self._select:
            chosen = self._select_chosen if self._select_chosen is not None else self._select_first
            if chosen is not None:
                self.values.setdefault(self._select, []).append(chosen)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.setdefault(self._textarea, []).append("".join(self._text).lstrip("\n"))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def read_form(html: str, form_id: str) -> _FormReader:
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader


def form_defaults(html: str, form_id: str) -> dict[str, list[str]]:
    """{name: [values]} the form with this id would submit as the page was served."""
    return read_form(html, form_id).values


def as_post(values: dict[str, list[str]]) -> dict:
    return {name: items if len(items) > 1 else items[0] for name, items in values.items()}
