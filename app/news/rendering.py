"""An article's body: Markdown typed by a curator, turned into HTML that is safe to show.

Markdown (markdown-it-py, CommonMark with tables and strikethrough) with raw HTML switched off,
so any tag typed in the text is shown as text; the HTML it makes is then cleaned by nh3 against
an allow-list of tags, attributes and link schemes, so that nothing the renderer lets through
(a `javascript:` link, an event handler, a `style`, a `data:` image) survives either. A "# heading"
becomes an <h2> (the page's title is its only <h1>); links get rel="nofollow noopener";
images may only come from this site's own article images (`/news/images/<id>.<ext>`).
The result needs no JavaScript and no styles of its own.
"""

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
IMAGE_PATH = re.compile(r"^/news/images/\d+\.jpg$")
# An image in the Markdown: ![alt](address "title").
MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not IMAGE_PATH.match(value):
        return None
    return value


def render_html(source: str | None) -> Markup:
    """The Markdown `source` as sanitised HTML."""
    if not source:
        return Markup("")
    tokens = _markdown.parse(source)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{max(int(token.tag[1]), 2)}"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="nofollow noopener",
            attribute_filter=_attribute_filter,
            strip_comments=True,
        )
    )


def images_in(source: str | None) -> list[tuple[str, str]]:
    """(alt text, address) of each image the Markdown `source` shows."""
    return [(m["alt"].strip(), m["src"]) for m in MARKDOWN_IMAGE.finditer(source or "")]


def image_address(image_id: int, extension: str) -> str:
    """Where an article image is served, as the body's Markdown names it."""
    return f"/news/images/{image_id}.{extension}"
