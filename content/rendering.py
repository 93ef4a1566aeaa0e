"""Article Markdown → sanitised HTML.

Markdown (tables, fenced code, headings with anchors) is turned into HTML, then everything
goes through nh3 with an explicit allow-list, whatever the author typed: raw HTML in the body
is allowed into Markdown but only the tags, attributes and URL schemes listed here survive.
External links then get `rel="noopener nofollow"`.

A line holding only a valid embed (`[[cohort-outcomes]]`, `[[cohort-outcomes sessions=N]]`; the
list is content.embeds.EMBEDS) becomes a placeholder paragraph in canonical spelling,
`<p>[[cohort-outcomes sessions=N]]</p>`; `content.embeds` swaps it for the live embed when the
page is shown.
"""

import html
import re
from urllib.parse import urlsplit

import markdown
import nh3
from django.conf import settings
from markdown.extensions.toc import TocExtension, slugify_unicode
from markdown.preprocessors import Preprocessor

from content.embeds import embed_line

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    **{heading: {"id"} for heading in HEADINGS},
}
ALLOWED_CLASSES = {"a": {"headerlink"}, "div": {"toc"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTERNAL_REL = "noopener nofollow"

# Browsers drop ASCII tabs and newlines inside URLs and ignore leading controls and spaces, so
# "java\tscript:" is javascript: to them; nh3 would let it pass as a relative URL.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_ANCHOR_TAG = re.compile(r'<a((?:\s+[a-zA-Z-]+="[^"]*")*)>')
_HREF = re.compile(r'\shref="([^"]*)"')


class _EmbedLines(Preprocessor):
    """Give each valid embed line a paragraph of its own, in one canonical spelling."""

    def run(self, lines):
        result = []
        for line in lines:
            shortcode = embed_line(line)
            if shortcode is None:
                result.append(line)
            else:
                result.extend(["", shortcode, ""])
        return result


def _markdown():
    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "sane_lists",
            TocExtension(permalink="#", permalink_title="Link to this section", slugify=slugify_unicode),
        ],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    # After fenced_code (priority 25), so a shortcode inside a code block stays literal.
    md.preprocessors.register(_EmbedLines(md), "acuflow_embeds", 20)
    return md


def _url_filter(tag, attribute, value):
    """Drop a URL attribute whose scheme, read the way a browser reads it, is not allowed, and an
    image's address on another site that ARTICLE_IMAGE_HOSTS does not list."""
    if attribute not in {"href", "src"}:
        return value
    scheme = _URL_SCHEME.match(_URL_NOISE.sub("", value))
    if scheme and scheme.group(1).lower() not in URL_SCHEMES:
        return None
    if tag == "img" and attribute == "src" and not image_allowed(value):
        return None
    return value


def image_allowed(src):
    """True for an image on this site, or one over https from a host in ARTICLE_IMAGE_HOSTS."""
    parts = urlsplit(_URL_NOISE.sub("", src).replace("\\", "/"))
    if not parts.netloc:
        return not parts.scheme
    return parts.scheme == "https" and parts.hostname in settings.ARTICLE_IMAGE_HOSTS


def image_problems(body):
    """Return a message for each image in the Markdown `body` that would not be shown: one on another
    site whose host ARTICLE_IMAGE_HOSTS does not list (over https)."""
    refused = []

    def note(tag, attribute, value):
        if tag == "img" and attribute == "src" and not image_allowed(value):
            refused.append(value)
        return value

    nh3.clean(_markdown().convert(body or ""), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=note)
    hosts = ", ".join(settings.ARTICLE_IMAGE_HOSTS) or "none are listed"
    return [
        f"The image {src} is on another site, so it is not shown: images from other sites are shown only over "
        f"https from the hosts in the ARTICLE_IMAGE_HOSTS setting ({hosts}). Put the image on the clinic's own "
        "site, or ask the administrator to list its host."
        for src in dict.fromkeys(refused)
    ]


def _is_external(href):
    # Browsers read backslashes as slashes, so `/\evil.example` is `//evil.example`.
    parts = urlsplit(href.strip().replace("\\", "/"))
    return parts.scheme in {"http", "https", ""} and bool(parts.netloc)


def _add_external_rel(match):
    attributes = match.group(1)
    href = _HREF.search(attributes)
    if href and _is_external(html.unescape(href.group(1))):
        return f'<a{attributes} rel="{EXTERNAL_REL}">'
    return match.group(0)


def sanitise_html(dirty):
    """Return `dirty` with everything outside the allow-list removed and external links marked."""
    clean = nh3.clean(
        dirty,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "noscript", "title", "textarea", "xmp"},
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_url_filter,
        link_rel=None,
        strip_comments=True,
    )
    # nh3 serialises every surviving tag canonically (`<a href="…" title="…">`, values without
    # a raw `"`), and escapes `<` in text, so this pattern only ever meets real anchor tags.
    return _ANCHOR_TAG.sub(_add_external_rel, clean)


def render_markdown(body):
    """Return the sanitised HTML for an article body written in Markdown."""
    return sanitise_html(_markdown().convert(body or ""))
