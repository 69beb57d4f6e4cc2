"""An article's Markdown becomes HTML that cannot run script, load other sites' images, style
the page or smuggle markup, whatever a curator (or someone who took their account) types."""

from html.parser import HTMLParser

import pytest

from app.news.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, images_in, render_html

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '<div style="position:fixed;top:0">cover</div>',
    '<p onclick="alert(1)">hi</p>',
    "<iframe src=https://evil.example></iframe>",
    "<svg><script>alert(1)</script></svg>",
    "<style>body{display:none}</style>",
    "<!-- <script>alert(1)</script> -->",
    '<form action="https://evil.example"><input name=p></form>',
]


class Elements(HTMLParser):
    """Every element of a piece of HTML with its attributes (what a browser would act on; text,
    however it reads, is only text)."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_never_becomes_active_markup(source):
    html = str(render_html(source))
    for tag, attributes in Elements(html).elements:
        assert tag in ALLOWED_TAGS, html
        assert set(attributes) <= ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, html
        for name in ("href", "src"):
            address = (attributes.get(name) or "").strip().lower()
            assert not address.startswith(("javascript:", "vbscript:", "data:")), html
        if tag == "img":
            assert attributes.get("src", "").startswith("/news/images/") or "src" not in attributes


def test_markdown_structure_survives():
    html = str(
        render_html(
            "# Tiêu đề\n\n## Mục\n\n- một\n- hai\n\n1. thứ nhất\n\n**đậm** *nghiêng* "
            "[liên kết](https://sct.quangngai.gov.vn)\n\n> trích dẫn\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |"
        )
    )
    assert "<h2>Tiêu đề</h2>" in html and "<h2>Mục</h2>" in html  # the page keeps its one <h1>
    assert "<ul>" in html and "<ol>" in html and "<strong>đậm</strong>" in html
    assert '<a href="https://sct.quangngai.gov.vn" rel="nofollow noopener">liên kết</a>' in html
    assert "<blockquote>" in html and "<table>" in html


def test_images_only_from_our_own_article_images():
    html = str(render_html("![bể](/news/images/3.jpg) ![ngoài](https://evil.example/x.png)"))
    assert '<img src="/news/images/3.jpg" alt="bể">' in html
    assert "evil.example" not in html


def test_images_in_lists_each_image_with_its_alt_text():
    assert images_in("a ![ bể lắng ](/news/images/1.jpg) b ![](/x.png)") == [
        ("bể lắng", "/news/images/1.jpg"),
        ("", "/x.png"),
    ]


def test_empty_source_is_empty():
    assert str(render_html(None)) == "" and str(render_html("")) == ""
