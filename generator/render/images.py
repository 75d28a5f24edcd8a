"""A claim's words, or a size -> image bytes: a claim page's share card (JPEG), the site's icons (PNG).

Drawn with Pillow and the font Pillow ships (so that the bytes are the same on every machine
with the same Pillow), with no metadata: the same input always gives the same file. Cards are
JPEG, which Pillow writes several times faster than a PNG of the same size (a site has one
card per claim); text stays sharp at the quality below."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, ImageColor, ImageDraw, ImageFont

CARD_SIZE = (1200, 630)
"""Open Graph's recommended share image size."""
MARGIN = 64
INK = "#1b1b1b"
PAPER = "#ffffff"
BAR = "#1d2b3a"
HIGHLIGHT = "#ffe98a"
CARD_QUALITY = 90
"""The cards' JPEG quality (colours at half resolution, as usual: the text is dark on light,
which luminance carries)."""

STATUS_COLOURS = {
    "confirmed": ("#0c4f22", "#dff1e4"),
    "misrepresented": ("#8b1a1a", "#fbe3e1"),
    "not-in-source": ("#5f2477", "#f1e4f6"),
    "outdated": ("#5a4300", "#f1ead6"),
    "unchecked": ("#7a3d00", "#ffedd3"),
    "unlocated": ("#39424e", "#e8ecf1"),
}
"""A status's text and background colours, as the theme's badges draw them."""


@dataclass(frozen=True, slots=True)
class Card:
    """What a claim's share card says."""

    site: str
    claim: str
    """The claim's short form."""
    finding: str
    """The site's finding (or that the entry is a work in progress)."""
    finding_label: str
    """The words before the finding, e.g. "Our finding"."""
    status: str
    """The status's value (its colours)."""
    status_label: str


@cache
def _drawing() -> bytes:
    """What the drawing of a card depends on besides its words: this module and Pillow."""
    return Path(__file__).read_bytes() + PIL.__version__.encode()


@lru_cache(maxsize=1 << 17)
def card_name(card: Card) -> str:
    """The hex digits a card's file name carries: a digest of its words and of how cards are
    drawn, known without drawing it (its file changes name whenever its bytes may change)."""
    words = json.dumps([getattr(card, f.name) for f in dataclasses.fields(card)],
                       ensure_ascii=False).encode()
    return hashlib.sha256(_drawing() + b"\0" + words).hexdigest()[:8]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=1 << 16)
def _width(text: str, size: int) -> float:
    """How wide `text` is drawn at `size` pixels (each word is measured once per process)."""
    return _font(size).getlength(text)


def _lines(text: str, size: int, width: int, most: int) -> Iterator[str]:
    """`text` wrapped to `width` pixels, at most `most` lines, the last cut with an ellipsis.
    A line's width is the sum of its words' and spaces' widths."""
    space = _width(" ", size)
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split():
        wide = _width(word, size)
        if line and used + space + wide > width:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += (space if line else 0.0) + wide
        line.append(word)
    if line:
        lines.append(" ".join(line))
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1]
        while last and _font(size).getlength(last + " …") > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    yield from lines


@lru_cache(maxsize=1 << 12)
def _glyph(char: str, size: int) -> tuple[Any, tuple[int, int], int]:
    """`char` rasterised at `size` (a coverage mask), its offset from the pen and how many
    pixels it moves the pen. The font's basic layout places each glyph at the whole pixel its
    advances add up to, without kerning, so a word stamped glyph by glyph is placed as
    `ImageDraw.text` places it (where two glyphs overlap, a pixel may be a shade darker). A
    site's cards hold a few hundred glyphs, each rasterised once per process, whatever words
    they spell."""
    font = _font(size)
    if isinstance(font, ImageFont.FreeTypeFont):
        mask, offset = font.getmask2(char, "L")
    else:
        mask, offset = font.getmask(char, "L"), (0, 0)  # a Pillow without FreeType: its bitmap
    return mask, offset, int(_width(char, size))


def _write(draw: ImageDraw.ImageDraw, at: tuple[int, int], line: str, size: int, ink: str
           ) -> None:
    """`line` drawn from `at`, glyph by glyph, spaced as `_lines` measured it."""
    x, y = float(at[0]), at[1]
    space = _width(" ", size)
    colour = draw.draw.draw_ink(ImageColor.getrgb(ink))
    stamp = draw.draw.draw_bitmap
    for word in line.split(" "):
        pen = round(x)
        for char in word:
            mask, (left, top), advance = _glyph(char, size)
            stamp((pen + left, y + top), mask, colour)
            pen += advance
        x += _width(word, size) + space


@lru_cache(maxsize=8)
def _head(site: str) -> Image.Image:
    """A blank card with its bar and the site's name (the same on every card of a site)."""
    image = Image.new("RGB", CARD_SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, CARD_SIZE[0], 96), fill=BAR)
    draw.text((MARGIN, 28), site, font=_font(36), fill=PAPER)
    return image


@lru_cache(maxsize=64)
def _label(text: str, size: int, ink: str, height: int) -> Image.Image:
    """`text` drawn on the card's paper, to be pasted: a piece that many cards share."""
    image = Image.new("RGB", (int(_width(text, size)) + 4, height), PAPER)
    ImageDraw.Draw(image).text((0, 0), text, font=_font(size), fill=ink)
    return image


@lru_cache(maxsize=64)
def _badge(status: str, label: str) -> Image.Image:
    """The status badge, on the card's paper."""
    ink, ground = STATUS_COLOURS.get(status, (INK, "#e8ecf1"))
    text_width = int(_width(label, 34))
    image = Image.new("RGB", (text_width + 41, 53), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, text_width + 40, 52), radius=6, fill=ground, outline=ink,
                           width=2)
    draw.text((20, 8), label, font=_font(34), fill=ink)
    return image


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=CARD_QUALITY, subsampling=2)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def share_card(card: Card) -> bytes:
    """The 1200x630 JPEG a link to the claim page shows: the site's name, the short claim,
    the finding and the status."""
    image = _head(card.site).copy()
    draw = ImageDraw.Draw(image)
    width = CARD_SIZE[0] - 2 * MARGIN
    y = 132
    for line in _lines(card.claim, 54, width, 3):
        _write(draw, (MARGIN, y), line, 54, INK)
        y += 66
    y += 22
    top = y
    image.paste(_label(card.finding_label, 30, "#545454", 42), (MARGIN + 28, y))
    y += 42
    for line in _lines(card.finding, 38, width - 28, 3):
        _write(draw, (MARGIN + 28, y), line, 38, INK)
        y += 48
    draw.rectangle((MARGIN, top, MARGIN + 10, y), fill=HIGHLIGHT)
    image.paste(_badge(card.status, card.status_label), (MARGIN, CARD_SIZE[1] - MARGIN - 52))
    return _jpeg(image)


@cache
def icon(size: int) -> bytes:
    """The site's icon (a check mark on the header's colour) as a square PNG of `size` pixels:
    the favicon.svg of the theme, drawn for browsers and devices that want a bitmap."""
    scale = 8  # drawn large and scaled down, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 // 32, fill=BAR)
    points = [(big * 8 / 32, big * 17 / 32), (big * 13 / 32, big * 22 / 32),
              (big * 24 / 32, big * 10 / 32)]
    draw.line(points, fill=HIGHLIGHT, width=max(1, big * 4 // 32), joint="curve")
    for x, y in (points[0], points[-1]):
        r = big * 2 / 32
        draw.ellipse((x - r, y - r, x + r, y + r), fill=HIGHLIGHT)
    return _png(image.resize((size, size), Image.Resampling.LANCZOS))
