"""Read a page's form back the way a browser would send it, for tests that press "send" again."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select, self._textarea = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
        if not self.inside or not attrs.get("name") and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((attrs["name"], attrs.get("value") or ("on" if "checked" in attrs else "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that may follow <textarea>, as Django writes it.
            name, text = self.fields.pop()
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None


def form_fields(html, form_id=None):
    """Return [(name, value)] as the form (the first, or the one with `form_id`) would be sent: checked
    boxes and selected options only, textareas with their text."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.fields
