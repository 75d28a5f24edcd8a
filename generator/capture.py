"""A saved web page's bytes (HTML or MHTML) -> Capture: its main text, what its metadata says
(each value with where it was read and what less trusted parts of the page say instead), and
the sha256 of the bytes; or the Refusal that says why there is no article to capture."""

from __future__ import annotations

import codecs
import email
import email.policy
import hashlib
import html as html_entities
import json
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, TypeVar

import lxml.html
import trafilatura
import yaml
from lxml import etree
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from generator.archives import comparable
from generator.errors import BIDI_CONTROLS
from generator.load import without_disallowed

SNIFF_BYTES = 1024
"""How far into a file `sniff` looks for the start of an HTML document."""

CHARSET_BYTES = 4096
"""How far into a page its `<meta charset>` is looked for."""

MIN_PROSE_WORDS = 80
"""Fewer words than this in sentences (lines with a full stop, question or exclamation mark)
is not an article's text: a paywall's teaser, a page of links, a cookie notice."""

ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
    "BackgroundNewsArticle", "OpinionNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle",
    "BlogPosting", "LiveBlogPosting", "Report", "ScholarlyArticle",
})
"""schema.org types whose JSON-LD node describes the article."""

BINARY_SIGNATURES = (
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"\xff\xd8\xff", "jpeg"), (b"RIFF", "riff"), (b"PK\x03\x04", "zip"), (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"), (b"{\\rtf", "rtf"), (b"bplist00", "webarchive"),
)
"""Leading bytes of files that are neither a page nor text, and the kind they name."""

BINARY_NAMES = {
    "pdf": "a PDF document", "png": "a PNG image", "gif": "a GIF image", "jpeg": "a JPEG image",
    "zip": "a zip archive (or a Word or OpenDocument file)", "gzip": "a gzip archive",
    "ole": "an old Office document", "riff": "a media file", "rtf": "an RTF document",
    "webarchive": "a Safari web archive (save the page as Page Source instead)",
}
"""How an error names each kind of binary file."""

WHATWG_LABELS = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
                 "iso8859-9": "cp1254", "iso8859-11": "cp874"}
"""Character sets that browsers read as a wider Windows code page (the WHATWG Encoding
standard), by Python's codec name."""

TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " / ")
"""What sites put between a headline and their own name in `<title>` and og:title."""

META_NAMES = {
    "headline": ("citation_title", "dc.title", "dcterms.title", "twitter:title", "title"),
    "url": ("citation_public_url", "dc.identifier", "dcterms.identifier"),
    "date": ("citation_publication_date", "citation_date", "citation_online_date", "dc.date",
             "dc.date.issued", "dcterms.date", "dcterms.issued", "date", "pubdate",
             "publishdate", "publish-date", "article.published", "parsely-pub-date",
             "sailthru.date"),
    "modified": ("dcterms.modified", "dc.date.modified", "last-modified", "article.updated"),
    "author": ("author", "citation_author", "dc.creator", "dcterms.creator", "parsely-author",
               "sailthru.author"),
    "site_name": ("dc.publisher", "dcterms.publisher", "citation_publisher"),
    "language": ("language", "dc.language", "dcterms.language", "content-language"),
}
"""`<meta name=...>` (and http-equiv) names read for each field, most trusted first."""

OPEN_GRAPH_NAMES = {
    "headline": ("og:title",),
    "url": ("og:url",),
    "date": ("article:published_time",),
    "modified": ("article:modified_time", "og:updated_time"),
    "author": ("article:author",),
    "site_name": ("og:site_name",),
    "language": ("og:locale",),
}
"""Open Graph properties read for each field."""

BLOCK_TAGS = frozenset({"p", "head", "list", "quote", "table", "code", "div", "graphic"})
"""Elements of trafilatura's document that are blocks of their own."""

CONTAINER_TAGS = frozenset({"quote", "div"})
"""Blocks whose paragraphs are written as paragraphs (separated by blank lines)."""

FIELDS = ("headline", "url", "date", "modified", "author", "site_name", "language")
"""The front-matter keys read from the page, in the order they are written."""

LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
ISO_DATE_RE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$"
)
SLASH_DATE_RE = re.compile(r"^(\d{4})/(\d{1,2})(?:/(\d{1,2}))?$")
CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
SAVED_FROM_RE = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
PARTIAL_DATE_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
SENTENCE_END_RE = re.compile(r"[.!?…。](?:[\"'”’»)\]]*)(?:\s|$)")


class PageKind(Enum):
    HTML = "html"
    """An HTML document: a page saved as "Webpage, complete" or "HTML only"."""
    MHTML = "mhtml"
    """A single-file capture (.mhtml, .mht): the page and its resources as one MIME message."""
    TEXT = "text"
    """Anything else that may be text: copied verbatim by `new article --from`."""
    BINARY = "binary"
    """A file that is neither a page nor text (a PDF, an image, an archive)."""


class Origin(Enum):
    """The part of a page a value was read from, most trusted first."""

    JSON_LD = "json-ld"
    """A schema.org Article node in a `<script type="application/ld+json">`."""
    OPEN_GRAPH = "open-graph"
    """`<meta property="og:..." / "article:...">`."""
    META = "meta"
    """`<meta name="...">` (author, date, citation_*, dc.*) and `<meta http-equiv>`."""
    MICRODATA = "microdata"
    """An element with `itemprop="datePublished"` (or dateModified)."""
    CANONICAL = "canonical"
    """`<link rel="canonical">`."""
    HTML_LANG = "html-lang"
    """`<html lang>`."""
    TITLE = "title"
    """`<title>`."""
    HEADING = "heading"
    """The article's first `<h1>`."""
    DATELINE = "dateline"
    """The first `<time datetime>` of the page's `<article>`: the visible dateline."""
    SAVED_FROM = "saved-from"
    """The address the browser saved the page from (its "saved from url" note, or an MHTML
    capture's Snapshot-Content-Location)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    origin: Origin
    name: str
    """The property within the origin: "datePublished", "og:title", "citation_date"."""
    value: str
    """What the page states there, white space collapsed."""


@dataclass(frozen=True, slots=True)
class Other:
    """A less (or more) trusted part of the page that gives another value."""

    evidence: Evidence
    says: str
    """Its value, at the precision compared (a date, a headline without the site's name), or
    as written when it could not be read as a value of the field."""


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    """The front-matter key: headline, url, date, modified, author, site_name or language."""
    value: str | tuple[str, ...]
    """What is written: text, a date at the page's precision, or (author) a tuple of names."""
    source: Evidence
    """Where the value was read: the most trusted part of the page that gives one."""
    others: tuple[Other, ...] = ()
    """Parts of the page that disagree, in order of trust, one per value."""
    utc_date: str | None = None
    """For dates: the date in UTC, when the page's local date is another."""
    trimmed: str | None = None
    """For the headline: the site's name (with its separator) removed from the value."""


@dataclass(frozen=True, slots=True)
class Capture:
    kind: PageKind
    text: str
    """The main text, paragraphs separated by blank lines, ending with a line break."""
    fields: tuple[Field, ...]
    """What the page's metadata gives, in FIELDS order; a field it does not give is absent."""
    sha256: str
    """Hex digest of the bytes read (the whole file, for MHTML)."""
    paywalled: bool = False
    """The page's JSON-LD says the article is not free to read (isAccessibleForFree: false)."""

    def get(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


class Reason(Enum):
    BINARY = "binary"
    """The file is neither a page nor text."""
    UNDECODABLE = "undecodable"
    """The page's bytes are not in its character set (UTF-8 when it declares none)."""
    NO_HTML_PART = "no-html-part"
    """An MHTML capture without an HTML document in it."""
    TOO_LITTLE_TEXT = "too-little-text"
    """The page has fewer than MIN_PROSE_WORDS words of sentences: no article's text."""


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: Reason
    signature: str | None = None
    """BINARY: the kind of file its first bytes name (pdf, png, zip, ...), if known."""
    encoding: str | None = None
    """UNDECODABLE: the character set the bytes were read in."""
    declared: bool = False
    """UNDECODABLE: whether the page declares that character set."""
    byte: int | None = None
    """UNDECODABLE: the first byte that is not in it."""
    line: int | None = None
    """UNDECODABLE: its line (1-based)."""
    words: int = 0
    """TOO_LITTLE_TEXT: the words of sentences found."""
    paywalled: bool = False
    """TOO_LITTLE_TEXT: the page says it is not free to read."""


# --- what kind of file ------------------------------------------------------------------------

def sniff(data: bytes) -> PageKind:
    """HTML, MHTML, binary or text, from the content (never from a file name): HTML starts
    with `<!doctype html`, `<html`, or has `<head` or `<meta` in its first KB, after a byte
    order mark, white space and comments; binary files start with a known signature, or
    hold a NUL byte and are not UTF-8."""
    if signature(data) is not None or (
        b"\x00" in data[:8192] and not _utf16_bom(data) and not _is_utf8(data)
    ):
        return PageKind.BINARY
    if _is_mhtml(data):
        return PageKind.MHTML
    head = _sniff_text(data)
    while head.startswith("<!--"):
        end = head.find("-->")
        if end < 0:
            break
        head = head[end + 3 :].lstrip()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and (
        not head.startswith("<?xml") or "<html" in head
    ):
        return PageKind.HTML
    if "<head" in head or "<meta" in head:
        return PageKind.HTML
    return PageKind.TEXT


def signature(data: bytes) -> str | None:
    """The kind of binary file the first bytes name, if any."""
    return next((kind for magic, kind in BINARY_SIGNATURES if data.startswith(magic)), None)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf16_bom(data: bytes) -> bool:
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _sniff_text(data: bytes) -> str:
    if _utf16_bom(data):
        return data[: SNIFF_BYTES * 2].decode("utf-16", "replace").lstrip("\ufeff").lstrip().lower()
    return data[:SNIFF_BYTES].removeprefix(codecs.BOM_UTF8).decode("latin-1").lstrip().lower()


def _is_mhtml(data: bytes) -> bool:
    block = data[:8192].removeprefix(codecs.BOM_UTF8).lstrip()
    end = min((i for i in (block.find(b"\r\n\r\n"), block.find(b"\n\n")) if i >= 0),
              default=len(block))
    headers = block[:end].decode("latin-1").lower()
    return bool(re.match(r"[a-z][a-z0-9-]*:", headers)) and bool(
        re.search(r"^content-type:\s*multipart/related", headers, re.MULTILINE)
    )


# --- the capture ------------------------------------------------------------------------------

def capture_page(data: bytes) -> Capture | Refusal:
    """Read a saved page (HTML or MHTML bytes): its text, metadata and sha256."""
    kind = sniff(data)
    if kind is PageKind.BINARY:
        return Refusal(Reason.BINARY, signature=signature(data))
    digest = hashlib.sha256(data).hexdigest()
    saved_from: Evidence | None = None
    page, charset = data, None
    if kind is PageKind.MHTML:
        part = _mhtml_part(data)
        if part is None:
            return Refusal(Reason.NO_HTML_PART)
        page, charset, location = part
        if location:
            saved_from = Evidence(Origin.SAVED_FROM, "Snapshot-Content-Location", location)
    decoded = decode_page(page, charset)
    if isinstance(decoded, Refusal):
        return decoded
    tree = _parse(decoded)
    article = _jsonld_article(tree) if tree is not None else _JsonLd()
    text = without_disallowed(extract_text(decoded), in_yaml=False)
    words = prose_words(text)
    if words < MIN_PROSE_WORDS:
        return Refusal(Reason.TOO_LITTLE_TEXT, words=words, paywalled=article.paywalled)
    if saved_from is None:
        match = SAVED_FROM_RE.search(decoded[:CHARSET_BYTES])
        if match:
            saved_from = Evidence(Origin.SAVED_FROM, "saved from url", match.group(1))
    fields = read_fields(tree, article, saved_from) if tree is not None else ()
    return Capture(kind, text, fields, digest, article.paywalled)


def _mhtml_part(data: bytes) -> tuple[bytes, str | None, str | None] | None:
    """The main HTML document of an MHTML capture: (bytes, charset, address)."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    location = message.get("Snapshot-Content-Location")
    for part in message.walk():
        if part.get_content_type() != "text/html" or part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        address = _header(location or part.get("Content-Location"))
        return payload, part.get_content_charset(), address
    return None


def _header(value: Any) -> str | None:
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def decode_page(data: bytes, charset: str | None = None) -> str | Refusal:
    """The page's text: read in the character set of its byte order mark, else the one given
    (an MHTML part's), else the one its `<meta charset>` declares, else UTF-8."""
    for bom, bom_codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                           (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decode(data[len(bom):], bom_codec, True)
    label = charset
    if label is None:
        match = CHARSET_RE.search(data[:CHARSET_BYTES])
        label = match.group(1).decode("ascii") if match else None
    name = _codec(label) if label else None
    if name is None or name.startswith("utf-16"):
        return _decode(data, "utf-8", False)
    return _decode(data, name, True)


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return WHATWG_LABELS.get(name, name)


def _decode(data: bytes, name: str, declared: bool) -> str | Refusal:
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Refusal(Reason.UNDECODABLE, encoding=name, declared=declared,
                       byte=data[exc.start], line=line)


def extract_text(page: str) -> str:
    """The page's main text, as trafilatura finds it (without reader comments): one block
    (paragraph, heading, list, quotation, table) after another, separated by blank lines."""
    document = trafilatura.bare_extraction(
        page, include_comments=False, include_tables=True, include_images=False,
        include_links=False, with_metadata=False, deduplicate=False,
    )
    if not isinstance(document, Document) or document.body is None:
        return ""
    blocks = []
    for element in _blocks(document.body):
        block = xmltotxt(element, False).replace("\r\n", "\n").replace("\r", "\n")
        block = "\n".join(line.rstrip() for line in block.split("\n")).strip("\n")
        if block.strip():
            blocks.append(block)
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _blocks(element: Any) -> Iterator[Any]:
    """The blocks of trafilatura's document, a quotation or a division of paragraphs being
    the paragraphs it holds."""
    for child in element:
        holds_blocks = len(child) > 0 and all(c.tag in BLOCK_TAGS for c in child)
        loose = (child.text or "").strip() or (child.tail or "").strip()
        if child.tag in CONTAINER_TAGS and holds_blocks and not loose:
            yield from _blocks(child)
        else:
            yield child


def prose_words(text: str) -> int:
    """Words on the lines of `text` that hold a sentence (end one with . ! ? or …)."""
    return sum(len(line.split()) for line in text.splitlines() if SENTENCE_END_RE.search(line))


# --- the page's metadata ----------------------------------------------------------------------

def _parse(page: str) -> Any:
    page = re.sub(r"^\s*<\?xml[^>]*\?>", "", page)
    try:
        return lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class _JsonLd:
    node: Mapping[str, Any] | None = None
    """The Article node, its references resolved."""
    website: str | None = None
    """The name of the page's WebSite node."""
    paywalled: bool = False


def _jsonld_article(tree: Any) -> _JsonLd:
    """The page's schema.org Article (in a list, an `@graph`, or a WebPage's mainEntity), with
    `{"@id": ...}` references resolved against the page's other nodes."""
    roots: list[Mapping[str, Any]] = []
    for script in tree.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        raw = re.sub(r"^(?:<!--|//\s*<!\[CDATA\[)|(?:-->|//\s*\]\]>)$", "", raw).strip()
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        roots.extend(_expand(data))
    by_id = {str(n["@id"]): n for n in roots if isinstance(n.get("@id"), str)}

    def resolve(value: Any) -> Any:
        ref = value.get("@id") if isinstance(value, Mapping) else None
        if isinstance(ref, str) and ref in by_id:
            return {**by_id[ref], **value}
        return value

    found: Mapping[str, Any] | None = next((n for n in roots if _is_article(n)), None)
    if found is None:
        for node in roots:
            for key in ("mainEntity", "mainEntityOfPage"):
                inner = resolve(node.get(key))
                if isinstance(inner, Mapping) and _is_article(inner):
                    found = inner
                    break
            if found is not None:
                break
    website = next((n.get("name") for n in roots if "WebSite" in _types(n)
                    and isinstance(n.get("name"), str)), None)
    if found is None:
        return _JsonLd(website=website)
    article = {key: resolve(value) for key, value in found.items()}
    if isinstance(article.get("author"), list):
        article["author"] = [resolve(a) for a in article["author"]]
    free = article.get("isAccessibleForFree")
    paywalled = free is False or (isinstance(free, str) and free.strip().lower() == "false")
    return _JsonLd(article, website, paywalled)


def _expand(data: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _expand(item)
    elif isinstance(data, dict):
        if isinstance(data.get("@graph"), list):
            yield from _expand(data["@graph"])
        if "@type" in data:
            yield data


def _types(node: Mapping[str, Any]) -> set[str]:
    kinds = node.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    prefix = r"^(?:https?://schema\.org/|schema:)"
    return {re.sub(prefix, "", n) for n in names if isinstance(n, str)}


def _is_article(node: Mapping[str, Any]) -> bool:
    return bool(_types(node) & ARTICLE_TYPES)


def _clean(value: Any) -> str:
    return " ".join(str(value).split())


def _ld_text(value: Any, keys: tuple[str, ...] = ()) -> str | None:
    """A JSON-LD value as text: a string or number, the first of a list, or the first of
    `keys` that an object has."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, Mapping):
        value = next((value[k] for k in keys if value.get(k)), None)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = _clean(html_entities.unescape(str(value)))
        return text or None
    return None


def _ld_names(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, Mapping) else item
        if isinstance(name, str) and (text := _clean(html_entities.unescape(name))):
            names.append(text)
    return tuple(names)


def _candidates(tree: Any, ld: _JsonLd, saved_from: Evidence | None) -> dict[str, list[Evidence]]:
    """Every value the page states for each field, most trusted first."""
    found: dict[str, list[Evidence]] = {key: [] for key in FIELDS}

    def add(key: str, origin: Origin, name: str, value: str | None) -> None:
        if value:
            found[key].append(Evidence(origin, name, value))

    node = ld.node or {}
    add("headline", Origin.JSON_LD, "headline", _ld_text(node.get("headline")))
    if "headline" not in node:
        add("headline", Origin.JSON_LD, "name", _ld_text(node.get("name")))
    add("url", Origin.JSON_LD, "url", _ld_text(node.get("url"), ("@id", "url")))
    add("url", Origin.JSON_LD, "mainEntityOfPage",
        _ld_text(node.get("mainEntityOfPage"), ("@id", "url")))
    published = "datePublished" if "datePublished" in node else "dateCreated"
    add("date", Origin.JSON_LD, published, _ld_text(node.get(published)))
    add("modified", Origin.JSON_LD, "dateModified", _ld_text(node.get("dateModified")))
    for name in _ld_names(node.get("author")):
        add("author", Origin.JSON_LD, "author", name)
    add("site_name", Origin.JSON_LD, "WebSite name", _ld_text(ld.website))
    publisher = node.get("publisher")
    if isinstance(publisher, Mapping):
        add("site_name", Origin.JSON_LD, "publisher name", _ld_text(publisher.get("name")))
    add("language", Origin.JSON_LD, "inLanguage",
        _ld_text(node.get("inLanguage"), ("alternateName", "name")))

    metas: list[tuple[str, str]] = []
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and _clean(content):
            metas.append((key.strip().lower(), _clean(content)))
    for origin, table in ((Origin.OPEN_GRAPH, OPEN_GRAPH_NAMES), (Origin.META, META_NAMES)):
        for key, names in table.items():
            for name in names:
                for meta_name, content in metas:
                    if meta_name != name:
                        continue
                    if key == "author" and re.match(r"^(https?:)?//", content):
                        continue  # a profile's address, not a name
                    add(key, origin, name, content)

    for prop, key in (("datePublished", "date"), ("dateModified", "modified")):
        for element in tree.xpath(f'//*[@itemprop="{prop}"]'):
            add(key, Origin.MICRODATA, prop,
                _clean(element.get("content") or element.get("datetime") or ""))
            break
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            add("url", Origin.CANONICAL, "canonical", _clean(link.get("href") or ""))
            break
    if saved_from is not None:
        found["url"].append(saved_from)
    add("language", Origin.HTML_LANG, "lang", _clean(tree.get("lang") or ""))
    titles = tree.xpath("/html/head/title") or tree.xpath("//title[not(ancestor::svg)]")
    if titles:
        add("headline", Origin.TITLE, "title", _clean(titles[0].text_content()))
    for path in ("//article//h1", "//main//h1", "//h1"):
        headings = tree.xpath(path)
        if headings:
            add("headline", Origin.HEADING, "h1", _clean(headings[0].text_content()))
            break
    times = tree.xpath("//article//time[@datetime][not(ancestor::aside or ancestor::nav "
                       "or ancestor::footer)]")
    if times:
        add("date", Origin.DATELINE, "time", _clean(times[0].get("datetime")))
    return found


def read_fields(tree: Any, ld: _JsonLd, saved_from: Evidence | None = None) -> tuple[Field, ...]:
    """What the page's metadata gives for each of FIELDS, each from its most trusted source."""
    found = _candidates(tree, ld, saved_from)
    sites = tuple(e.value for e in found["site_name"])
    fields = [
        _headline(found["headline"], sites),
        _pick("url", found["url"], _read_url, lambda a, b: comparable(a) == comparable(b), str),
        _date("date", found["date"]),
        _date("modified", found["modified"]),
        _authors(found["author"]),
        _pick("site_name", found["site_name"], _read_text, _same_text, str),
        _pick("language", found["language"], _read_language, _same_language, str),
    ]
    return tuple(f for f in fields if f is not None)


T = TypeVar("T")


def _pick(
    key: str, evidence: list[Evidence], read: Callable[[str], T | None],
    same: Callable[[T, T], bool], show: Callable[[T], str],
) -> Field | None:
    """The first readable value, and every other that disagrees with it (one per value)."""
    readings = [(e, read(e.value)) for e in evidence]
    kept = next(((e, v) for e, v in readings if v is not None), None)
    if kept is None:
        return None
    source, value = kept
    others: list[Other] = []
    shown: set[str] = {show(value)}
    for item, reading in readings:
        if item is source:
            continue
        if reading is None:
            says = item.value
        elif same(value, reading):
            continue
        else:
            says = show(reading)
        if says not in shown:
            shown.add(says)
            others.append(Other(item, says))
    return Field(key, show(value), source, tuple(others))


def _read_text(value: str) -> str | None:
    return _clean(value) or None


def _same_text(a: str, b: str) -> bool:
    return _folded(a) == _folded(b)


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[‘’‚‛′`´]", "'", text)
    text = re.sub(r"[“”„‟″«»]", '"', text)
    text = re.sub(r"[‐‑‒–—―−]", "-", text)
    return " ".join(text.split()).casefold()


def _read_url(value: str) -> str | None:
    absolute = re.match(r"^https?://[^\s/?#]+", value, re.IGNORECASE)
    return value if absolute and not any(c.isspace() for c in value) else None


def _read_language(value: str) -> str | None:
    tag = value.strip().replace("_", "-")
    if not LANGUAGE_RE.match(tag):
        return None
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def _same_language(a: str, b: str) -> bool:
    """One tag is the other or a more precise form of it (en, en-GB)."""
    x, y = a.lower().split("-"), b.lower().split("-")
    shorter = min(len(x), len(y))
    return x[:shorter] == y[:shorter]


def _headline(evidence: list[Evidence], sites: tuple[str, ...]) -> Field | None:
    """The headline, with the site's name (from any part of the page) removed from a
    `<title>` or og:title that carries it."""
    trimmed: dict[int, str] = {}
    readings: list[Evidence] = []
    for i, item in enumerate(evidence):
        value, cut = _untitled(item.value, sites)
        if cut:
            trimmed[i] = cut
        readings.append(Evidence(item.origin, item.name, value))
    field = _pick("headline", readings, _read_text, _same_text, str)
    if field is None:
        return None
    index = readings.index(field.source)
    source = evidence[index]
    return Field(field.key, field.value, source, field.others, trimmed=trimmed.get(index))


def _untitled(title: str, sites: tuple[str, ...]) -> tuple[str, str | None]:
    for site in sites:
        for sep in TITLE_SEPARATORS:
            tail = sep + site
            if len(title) > len(tail) and _folded(title).endswith(_folded(tail)):
                return title[: len(title) - len(tail)].rstrip(), title[len(title) - len(tail):]
            head = site + sep
            if len(title) > len(head) and _folded(title).startswith(_folded(head)):
                return title[len(head):].lstrip(), title[: len(head)]
    return title, None


@dataclass(frozen=True, slots=True)
class _When:
    day: str
    """The date as the page states it (its own time zone): YYYY, YYYY-MM or YYYY-MM-DD."""
    utc_day: str | None = None
    """The date in UTC, when the page gives a time zone."""
    instant: datetime | None = None


def read_date(value: str) -> _When | None:
    """A date or date-time as pages write them (ISO 8601, YYYY/MM/DD, RFC 2822)."""
    text = value.strip()
    match = ISO_DATE_RE.match(text)
    if match:
        year, month, day, hour, minute, second, zone = match.groups()
        return _when(year, month, day, hour, minute, second, zone)
    match = SLASH_DATE_RE.match(text)
    if match:
        year, month, day = match.groups()
        return _when(year, month.zfill(2), day.zfill(2) if day else None, None, None, None, None)
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if stamp.tzinfo is None:
        return _When(stamp.date().isoformat())
    return _When(stamp.date().isoformat(), stamp.astimezone(UTC).date().isoformat(), stamp)


def _when(year: str, month: str | None, day: str | None, hour: str | None, minute: str | None,
          second: str | None, zone: str | None) -> _When | None:
    try:
        if day is None:
            if month is not None and not 1 <= int(month) <= 12:
                return None
            return _When(year + (f"-{month}" if month else ""))
        local = datetime(int(year), int(month or 1), int(day), int(hour or 0), int(minute or 0),
                         int(second or 0))
    except ValueError:
        return None
    text = local.date().isoformat()
    if hour is None or zone is None:
        return _When(text)
    if zone == "Z":
        offset = timedelta(0)
    else:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        offset = -offset if zone[0] == "-" else offset
    instant = local.replace(tzinfo=timezone(offset))
    return _When(text, instant.astimezone(UTC).date().isoformat(), instant)


def _same_date(a: _When, b: _When) -> bool:
    """Two statements of a date agree when they give the same day in the page's time zone,
    the same instant, or when one is a less precise form of the other (2099-03, 2099-03-14),
    reading a date without a time as either of the other's local and UTC dates."""
    if a.instant is not None and b.instant is not None:
        return a.instant == b.instant or a.day == b.day
    left = {a.day} | ({a.utc_day} if a.utc_day and b.instant is None else set())
    right = {b.day} | ({b.utc_day} if b.utc_day and a.instant is None else set())
    return any(x.startswith(y) or y.startswith(x) for x in left for y in right)


def _date(key: str, evidence: list[Evidence]) -> Field | None:
    field = _pick(key, evidence, read_date, _same_date, lambda w: w.day)
    if field is None:
        return None
    when = read_date(field.source.value)
    assert when is not None
    utc = when.utc_day if when.utc_day and when.utc_day != when.day else None
    return Field(field.key, field.value, field.source, field.others, utc_date=utc)


def _authors(evidence: list[Evidence]) -> Field | None:
    """The authors named by the most trusted part of the page that names any; another part
    disagrees when it names someone else."""
    groups: dict[tuple[Origin, str], list[str]] = {}
    for item in evidence:
        names = groups.setdefault((item.origin, item.name), [])
        if _folded(item.value) not in {_folded(n) for n in names}:
            names.append(item.value)
    if not groups:
        return None
    (origin, name), kept = next(iter(groups.items()))
    folded = {_folded(n) for n in kept}
    others = []
    for (other_origin, other_name), names in list(groups.items())[1:]:
        if any(_folded(n) not in folded for n in names):
            says = " and ".join(_quoted(n) for n in names)
            others.append(Other(Evidence(other_origin, other_name, "; ".join(names)), says))
    source = Evidence(origin, name, "; ".join(kept))
    return Field("author", tuple(kept), source, tuple(others))


# --- the wording written into the front matter --------------------------------------------

def part_name(evidence: Evidence) -> str:
    """The part of the page as a basis names it, after "the page's" or "its": "JSON-LD
    datePublished", "og:title", "meta author"."""
    origin, name = evidence.origin, evidence.name
    names = {
        Origin.JSON_LD: f"JSON-LD {name}", Origin.OPEN_GRAPH: name, Origin.META: f"meta {name}",
        Origin.MICRODATA: f"microdata {name}", Origin.CANONICAL: "canonical link",
        Origin.HTML_LANG: "<html lang>", Origin.TITLE: "<title>", Origin.HEADING: "<h1>",
        Origin.DATELINE: "dateline <time>", Origin.SAVED_FROM: "address saved from",
    }
    return names[origin]


def basis(field: Field) -> str:
    """The `<key>_basis` phrase: where the value was read and what disagrees with it, e.g.
    "from the page's JSON-LD datePublished; its article:published_time says 2099-03-16"."""
    if field.source.origin is Origin.SAVED_FROM:
        first = "from the address the browser saved the page from"
    else:
        first = "from the page's " + part_name(field.source)
    if field.trimmed:
        first += f", without {_quoted(field.trimmed)}"
    if field.utc_date:
        first += f" ({field.source.value}, {field.utc_date} in UTC)"
    parts = [first]
    for other in field.others:
        says = other.says if field.key == "author" else _shown(field.key, other.says)
        if other.evidence.origin is Origin.SAVED_FROM:
            parts.append(f"the browser saved it from {says}")
        else:
            parts.append(f"its {part_name(other.evidence)} says {says}")
    return "; ".join(parts)


def _shown(key: str, value: str) -> str:
    if key in ("headline", "site_name") or read_date(value) is None and _read_url(value) is None:
        return _quoted(value)
    return value


def _quoted(text: str) -> str:
    return f"“{text}”"


def front_matter(capture: Capture, captured: str, capture_from: str | None) -> dict[str, Any]:
    """The front-matter values of a captured article, in the order they are written: each
    field and its basis, then when and from which file it was captured, and the sha256."""
    values: dict[str, Any] = {}
    for field in capture.fields:
        value = field.value
        values[field.key] = (
            without_disallowed(value) if isinstance(value, str)
            else [without_disallowed(str(v)) for v in value] if isinstance(value, (list, tuple))
            else value
        )
        values[f"{field.key}_basis"] = without_disallowed(basis(field))
    values["captured"] = captured
    if capture_from:
        values["capture_from"] = capture_from
    values["sha256"] = capture.sha256
    return values


def describe_refusal(refusal: Refusal, shown: str) -> tuple[str, str]:
    """(message, hint) for the error `new article --from` prints; `shown` names the file."""
    hint = ("Save the article from the browser with File > Save Page As (\"Webpage, complete\" "
            "or \"Web Page, single file\"), or copy its text into a UTF-8 .txt file and pass that.")
    reason = refusal.reason
    if reason is Reason.BINARY:
        what = BINARY_NAMES.get(refusal.signature or "", "a binary file")
        message = f"{shown} is not a web page nor text: it looks like {what}"
    elif reason is Reason.UNDECODABLE:
        charset = (f"its declared character set {refusal.encoding}" if refusal.declared
                   else "UTF-8 (it declares no character set)")
        message = (f"{shown} is not valid in {charset}: byte 0x{refusal.byte or 0:02x} on line "
                   f"{refusal.line}")
        hint = ("Save the page again from the browser, or convert it to UTF-8, e.g. "
                "`iconv -f WINDOWS-1252 -t UTF-8 page.html > page-utf8.html`.")
    elif reason is Reason.NO_HTML_PART:
        message = f"{shown} is a single-file capture without an HTML page in it"
    elif reason is Reason.TOO_LITTLE_TEXT:
        found = f"only {refusal.words} words in sentences" if refusal.words else "no sentences"
        message = (f"{shown} has no article text to capture ({found}; an article has at least "
                   f"{MIN_PROSE_WORDS})")
        paywall = (" The page says it is not free to read: it may be the teaser that readers "
                   "without a subscription see." if refusal.paywalled else "")
        hint = ("It may be a paywall's teaser, a list of links or a consent screen." + paywall
                + " Open the article itself, with its whole text on the screen, and save it "
                "again; or copy the text into a UTF-8 .txt file and pass that to --from.")
    else:
        raise AssertionError(reason)
    return message + "; nothing was written", hint


# --- the values as YAML -----------------------------------------------------------------------

def yaml_lines(key: str, value: Any, width: int) -> list[str]:
    """`key: value` as YAML lines: a list of text as `- item` lines, a text longer than
    `width` folded (`>-`) when folding keeps it as it is."""
    if isinstance(value, (list, tuple)):
        return [f"{key}:"] + [f"  - {yaml_scalar(str(item))}" for item in value]
    line = f"{key}: {yaml_scalar(str(value))}"
    folded = yaml_folded(str(value), width) if len(line) > width else None
    if folded is None:
        return [line]
    return [f"{key}: {folded[0]}", *folded[1:]]


def yaml_folded(text: str, width: int) -> list[str] | None:
    """`text` as a folded block scalar (`>-` and its lines, wrapped to `width` and indented
    by two spaces), or None when folding would change it (leading, trailing or repeated white
    space, a character that is not printable)."""
    if not text.isprintable() or text != " ".join(text.split()):
        return None
    lines = ["  " + line for line in textwrap.wrap(
        text, width - 2, break_long_words=False, break_on_hyphens=False)]
    block = [">-", *lines]
    if yaml.safe_load("k: " + "\n".join(block)) != {"k": text}:
        return None
    return block


def yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar that reads back as the same text: plain when YAML leaves it
    as it is (and for dates, which the loader keeps as text), else double-quoted with every
    character that is not printable escaped, but for bidirectional controls: YAML holds them
    as they are, and written so the loader judges them as an editor's own (a right-to-left
    line keeps its marks without a warning; an escape would always be warned of)."""
    if PARTIAL_DATE_RE.match(text):
        return text
    if text and text == text.strip() and text.isprintable():
        try:
            plain = yaml.safe_load(f"k: {text}")
        except yaml.YAMLError:
            plain = None
        if plain == {"k": text}:
            return text
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(
        char if char.isprintable() or char == " " or char in BIDI_CONTROLS
        else (f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        for char in quoted
    )
