import re

import pytest

from content.embeds import body_with_embeds, embed_problems
from content.rendering import image_problems, render_markdown

ARTICLE = """\
# Cold hands

## What helps

Some **bold** and *italic* text, a [link to another article](/articles/your-first-visit/)
and one [to the NHS](https://www.nhs.uk/conditions/raynauds/).

| Condition | Δ SpO₂ |
|:---|---:|
| Raynaud's | +1.0 |

- first
- second

1. one
2. two

![A pulse oximeter](https://example.org/oximeter.jpg "On a finger")

```python
print("hello <world>")
```

> A quote.
"""


def test_markdown_features_render(settings):
    settings.ARTICLE_IMAGE_HOSTS = ["example.org"]
    html = render_markdown(ARTICLE)
    assert '<h1 id="cold-hands">Cold hands' in html
    assert '<h2 id="what-helps">What helps' in html
    assert '<a class="headerlink" href="#what-helps"' in html
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert '<a href="/articles/your-first-visit/">link to another article</a>' in html
    assert '<th align="left">Condition</th>' in html and '<td align="right">+1.0</td>' in html
    assert "<ul>\n<li>first</li>" in html and "<ol>\n<li>one</li>" in html
    assert '<img alt="A pulse oximeter" src="https://example.org/oximeter.jpg" title="On a finger">' in html
    assert (
        "<pre><code>print(&quot;hello &lt;world&gt;&quot;)" in html or '<pre><code>print("hello &lt;world&gt;")' in html
    )
    assert "<blockquote>" in html


def test_external_links_get_noopener_nofollow_and_internal_links_do_not():
    html = render_markdown(
        "[out](https://www.nhs.uk/) [proto](//evil.example/) [in](/articles/x/) [anchor](#top) [mail](mailto:a@b.org)"
    )
    assert '<a href="https://www.nhs.uk/" rel="noopener nofollow">out</a>' in html
    assert '<a href="//evil.example/" rel="noopener nofollow">proto</a>' in html
    assert '<a href="/articles/x/">in</a>' in html
    assert '<a href="#top">anchor</a>' in html
    assert '<a href="mailto:a@b.org">mail</a>' in html


def test_an_author_cannot_set_their_own_rel_or_target_on_links():
    html = render_markdown('<a href="https://x.example/" rel="opener" target="_blank">x</a>')
    assert html == '<p><a href="https://x.example/" rel="noopener nofollow">x</a></p>'


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src="https://x.example/a.png" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](jav&#x61;script:alert(1))",
    '<a href="jav&#x61;script:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="java&#10;script:alert(1)">click</a>',
    '<a href=" &#14;javascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    "[click](<javascript:alert(1)>)",
    "[click](javascript&colon;alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<svg onload="alert(1)"><script>alert(2)</script><circle r="5"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example/"><input name="card"><button>Pay</button></form>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body { display: none }</style>",
    '<div style="position:fixed;top:0">overlay</div>',
    '<link rel="stylesheet" href="https://evil.example/x.css"><meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    "<details open ontoggle=alert(1)>",
    '<p onclick="alert(1)" onmouseover="alert(2)">hover</p>',
    "<!-- <script>alert(1)</script> -->",
    '<a href="https://ok.example/" onfocus="alert(1)" autofocus>ok</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<template><script>alert(1)</script></template>",
]
DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|svg|math|form|input|style|link|meta|base|button|template|details)\b"
    r"|\son[a-z]+\s*="
    r"|\sstyle\s*="
    r"|\s(?:href|src|xlink:href|action|srcdoc)\s*=\s*\"?\s*(?:javascript|vbscript|data):",
    re.IGNORECASE,
)


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_bodies_come_out_harmless(body):
    html = render_markdown(f"Before\n\n{body}\n\nAfter")
    tags = " ".join(re.findall(r"<[^>]*>", html))  # text keeps no raw "<": it is escaped as &lt;
    assert not DANGEROUS.search(tags), html
    hrefs = re.findall(r'\s(?:href|src)="([^"]*)"', html)
    for url in hrefs:
        squashed = re.sub(r"[\x00-\x20]", "", url).lower()
        assert not squashed.startswith(("javascript:", "vbscript:", "data:")), html
    assert "Before" in html and "After" in html


def test_a_script_inside_a_code_block_is_shown_as_text():
    html = render_markdown("```\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html


def test_an_embed_line_leaves_a_placeholder_paragraph():
    html = render_markdown("Intro\n[[cohort-outcomes]]\nOutro\n\n[[cohort-outcomes sessions=8]]")
    assert "<p>Intro</p>\n<p>[[cohort-outcomes sessions=6]]</p>\n<p>Outro</p>" in html
    assert "<p>[[cohort-outcomes sessions=8]]</p>" in html


def test_an_embed_inside_code_or_a_sentence_stays_literal():
    html = render_markdown("```\n[[cohort-outcomes]]\n```\n\nSee [[cohort-outcomes]] below.")
    assert "<p>[[cohort-outcomes" not in html
    assert "See [[cohort-outcomes]] below." in html


def test_an_embed_with_a_session_count_out_of_range_is_reported():
    assert embed_problems("[[cohort-outcomes sessions=6]]\n[[cohort-outcomes]]") == []
    problems = embed_problems("text\n[[cohort-outcomes sessions=50]]\n[[ cohort-outcomes sesions=6]]")
    assert len(problems) == 2
    assert (
        problems[0].startswith("Line 2:")
        and "sessions must be given once, as a whole number from 2 to 20" in problems[0]
    )
    assert "takes no “sesions=6”" in problems[1]
    html = render_markdown("[[cohort-outcomes sessions=50]]")
    assert body_with_embeds(html) == html == "<p>[[cohort-outcomes sessions=50]]</p>"


def test_a_backslash_link_to_another_host_counts_as_external():
    html = render_markdown('<a href="/\\evil.example/">x</a>')
    assert 'rel="noopener nofollow"' in html


def test_an_image_from_a_host_the_setting_lists_is_shown(settings):
    settings.ARTICLE_IMAGE_HOSTS = ["images.example.org"]
    html = render_markdown("![Oximeter](https://images.example.org/oximeter.jpg)")
    assert '<img alt="Oximeter" src="https://images.example.org/oximeter.jpg">' in html
    assert image_problems("![Oximeter](https://images.example.org/oximeter.jpg)") == []


@pytest.mark.parametrize(
    "body",
    [
        "![](https://tracker.example/pixel.gif)",
        "![](http://images.example.org/plain-http.jpg)",
        '<img src="//tracker.example/pixel.gif">',
        '<img src="/\\tracker.example/pixel.gif">',
        "![](https://images.example.org@tracker.example/pixel.gif)",
    ],
)
def test_an_image_from_any_other_site_is_not_shown_and_the_author_is_told(settings, body):
    settings.ARTICLE_IMAGE_HOSTS = ["images.example.org"]
    assert "tracker.example" not in render_markdown(body) and "plain-http" not in render_markdown(body)
    [problem] = image_problems(body)
    assert "is on another site, so it is not shown" in problem and "(images.example.org)" in problem


def test_an_image_on_the_clinics_own_site_needs_no_setting():
    assert '<img alt="Map" src="/static/img/map.png">' in render_markdown("![Map](/static/img/map.png)")
    assert image_problems("![Map](/static/img/map.png)") == []
