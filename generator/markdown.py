"""Markdown text -> safe HTML: CommonMark, raw HTML as text, http(s), mailto and relative links."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def is_allowed_link(url: str) -> bool:
    """True for http(s) and mailto URLs and for references without a scheme."""
    found = _SCHEME.match(url.strip())
    return found is None or found.group(1).lower() in ALLOWED_SCHEMES


class _SafeMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return is_allowed_link(url)


_PARSER = _SafeMarkdown("commonmark", {"html": False})


def _shift_headings(tokens: list[Token], shift: int, min_level: int) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, max(min_level, int(token.tag[1:]) + shift))
            token.tag = f"h{level}"


def _inline_text(token: Token) -> str:
    return "".join(child.content for child in token.children or () if child.type == "text")


def render_markdown(
    text: str, shift: int = 0, drop_title: str | None = None, min_level: int = 1
) -> Markup:
    """HTML for `text`, headings moved down `shift` levels and none above `min_level`; a
    leading heading equal to `drop_title` (the page's own title, shown as its h1) is left out."""
    tokens = _PARSER.parse(text)
    if (
        drop_title is not None
        and len(tokens) >= 3
        and tokens[0].type == "heading_open"
        and _inline_text(tokens[1]).strip() == drop_title.strip()
    ):
        tokens = tokens[3:]
    _shift_headings(tokens, shift, min_level)
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return Markup(html)


@lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """The words of a Markdown text without its markup or link targets, for descriptions,
    feeds and the search index."""
    words: list[str] = []
    for token in _PARSER.parse(text):
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
        elif token.type in ("code_block", "fence"):
            words.append(token.content + " ")
    return " ".join("".join(words).split())
