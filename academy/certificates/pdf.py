"""Certificate designs and the PDF renderer.

A design is a directory holding ``design.yaml`` (metadata), a Jinja HTML template and
CSS. Designs are rendered from a plain dict (see ``services.certificate_context``): no
ORM objects, no request, no database in a template. WeasyPrint fetches resources through
``AppFileFetcher``, which serves only the design's own directory, the app's static files
and ``data:`` URIs; it refuses the network and every other ``file:`` path.

One ``Renderer`` lives per process: its ``FontConfiguration`` and parsed stylesheets are
reused, which is what makes a certificate cost tens of milliseconds instead of hundreds.

The QR code is not an image for WeasyPrint to parse: a design leaves an empty element
with ``id="qr"`` where it goes, and the renderer fills that box with one filled
rectangle per run of dark modules, written straight into the page's content stream. It
is still vector (sharp at any size, no raster), and it costs a fraction of a millisecond
where WeasyPrint's SVG path parser took a third of the whole render.

Layers: WeasyPrint spends about a millisecond styling, laying out and drawing each line of
text, and most lines of a certificate (issuer, heading, leads, signature, labels, frame)
are the same for every certificate of a design, paper, language and kind. A design that
sets ``layers: true`` in ``design.yaml`` renders its template three ways (the ``layer``
variable): ``static`` puts a one-line placeholder (``&nbsp;``) in each variable element
``slot-name``, ``slot-title``, ``slot-details`` and in the first and last lines of
``slot-verify``; ``variable`` holds only the text of ``slot-name``, ``slot-title``,
``slot-details``, ``slot-serial`` and ``slot-code``; ``full`` is the whole page. The
static layer is laid out and drawn once per distinct static HTML (an LRU of
``STATIC_LAYER_CACHE_SIZE``): its page operators, its glyphs per font, where each
placeholder and the QR box landed, and a generated stylesheet that puts each variable
element there in the placeholder's type. A certificate then costs WeasyPrint only the
five lines of variable text: the static operators go under them in the same content
stream, the static glyphs join the same font subsets (still one subset per face, text
still extractable). Text that does not fit its slot on one line (a very long name) falls
back to the full page, which is laid out as before. Of those five lines, the serial
number and the verification code are usually not even WeasyPrint's: when a line is
left-to-right and in one face, HarfBuzz shapes it and the renderer writes the glyphs
itself (``glyphs.py``, ``_take_line``), leaving three lines to lay out.
"""

from __future__ import annotations

import copy
import logging
import mimetypes
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree  # nosec B405 - parses only our own rendered templates (see _xml_tree)

import yaml

# WeasyPrint logs every rendering step (and its stylesheet loading at import) at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape  # noqa: E402

# WeasyPrint is imported when the first PDF is rendered, not with the app: it costs about
# a second and 25 MB of memory, which every CLI command, export and test process would
# otherwise pay without rendering anything.

DESIGNS_DIR = Path(__file__).parent / "designs"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
#: resources are addressed under this origin; the fetcher maps it to files it allows
APP_ORIGIN = "https://academy.invalid/"
PAPERS = {"a4": "A4 landscape", "letter": "letter landscape"}


class DesignError(ValueError):
    pass


@dataclass(frozen=True)
class Design:
    name: str
    title: str
    description: str
    directory: Path
    template: str
    stylesheets: tuple[str, ...]
    papers: tuple[str, ...] = ("a4", "letter")
    extra: dict = field(default_factory=dict)


_KNOWN_META = {"name", "title", "description", "template", "stylesheets", "papers"}
#: every known design by name; ``register_design`` adds one (built-ins load at import)
DESIGNS: dict[str, Design] = {}


def register_design(directory: Path) -> Design:
    """Read ``design.yaml`` in ``directory`` and add the design to the registry."""
    meta = yaml.safe_load((directory / "design.yaml").read_text(encoding="utf-8"))
    design = Design(
        name=meta["name"],
        title=meta.get("title", meta["name"]),
        description=meta.get("description", ""),
        directory=directory.resolve(),
        template=meta.get("template", "certificate.html"),
        stylesheets=tuple(meta.get("stylesheets", ["certificate.css"])),
        papers=tuple(meta.get("papers", ["a4", "letter"])),
        extra={k: v for k, v in meta.items() if k not in _KNOWN_META},
    )
    for fname in (design.template, *design.stylesheets):
        if not (design.directory / fname).is_file():
            raise DesignError(f"design {design.name}: missing {fname}")
    unknown = set(design.papers) - set(PAPERS)
    if unknown:
        raise DesignError(f"design {design.name}: unknown paper sizes {sorted(unknown)}")
    DESIGNS[design.name] = design
    return design


def get_design(name: str) -> Design:
    try:
        return DESIGNS[name]
    except KeyError:
        raise DesignError(f"unknown certificate design: {name!r}") from None


for _dir in sorted(DESIGNS_DIR.iterdir()):
    if (_dir / "design.yaml").is_file():
        register_design(_dir)


def _fetcher_class() -> type:
    """AppFileFetcher, defined on first use (it subclasses WeasyPrint's URLFetcher)."""
    global _FETCHER_CLASS
    if _FETCHER_CLASS is not None:
        return _FETCHER_CLASS
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class AppFileFetcher(URLFetcher):
        """Serves ``https://academy.invalid/design/<name>/…`` and ``…/static/…`` from disk, and
        ``data:`` URIs. Everything else (network, ``file:``, paths escaping a root) is refused."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "https"}, allow_redirects=False, timeout=1)

        def _root(self, kind: str, rest: list[str]) -> tuple[Path, list[str]]:
            if kind == "static":
                return STATIC_DIR, rest
            if kind == "design" and rest and rest[0] in DESIGNS:
                return DESIGNS[rest[0]].directory, rest[1:]
            raise ValueError("not an application resource")

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith(APP_ORIGIN):
                raise ValueError(f"certificate renderer refuses {url[:80]!r}")
            parts = [unquote(p) for p in urlsplit(url).path.split("/") if p]
            if not parts:
                raise ValueError("empty resource path")
            root, rest = self._root(parts[0], parts[1:])
            path = root.joinpath(*rest).resolve()
            if not rest or not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"certificate renderer refuses {url[:80]!r}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    _FETCHER_CLASS = AppFileFetcher
    return AppFileFetcher


_FETCHER_CLASS: type | None = None


def __getattr__(name: str):
    if name == "AppFileFetcher":
        return _fetcher_class()
    raise AttributeError(name)


class Renderer:
    """Renders designs to PDF bytes with a shared font configuration (thread-safe)."""

    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.fetcher = _fetcher_class()()
        self.env = Environment(
            loader=FileSystemLoader(str(DESIGNS_DIR)),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            auto_reload=False,
        )
        self._css: dict[tuple[str, str], list] = {}
        #: static layers by (design, paper, static HTML), least recently used first
        self._layers: OrderedDict[tuple[str, str, str], _StaticLayer | None] = OrderedDict()
        #: one whole font face per font key, shared by the static layers' glyph lists
        self._faces: dict = {}
        #: an HTML document per design whose tree ``_wrap`` replaces (base URL and fetcher)
        self._empty_html: dict = {}
        self._lock = threading.Lock()

    def _stylesheets(self, design: Design, paper: str) -> list:
        from weasyprint import CSS

        key = (design.name, paper)
        if key not in self._css:
            base = f"{APP_ORIGIN}design/{design.name}/"
            sheets = [
                CSS(
                    string=(design.directory / name).read_text(encoding="utf-8"),
                    base_url=base,
                    url_fetcher=self.fetcher,
                    font_config=self.font_config,
                )
                for name in design.stylesheets
            ]
            sheets.append(CSS(string=f"@page {{ size: {PAPERS[paper]}; }}", font_config=self.font_config))
            self._css[key] = sheets
        return self._css[key]

    def render_html(self, context: dict, design: str = "classic", paper: str = "a4", layer: str = "full") -> str:
        d = get_design(design)
        template = self.env.get_template(f"{d.directory.name}/{d.template}")
        return template.render(design=d, paper=paper, layer=layer, **context)

    def render(self, context: dict, design: str = "classic", paper: str = "a4") -> bytes:
        d = get_design(design)
        if paper not in d.papers:
            raise DesignError(f"design {d.name} has no {paper} layout")
        with self._lock:
            if d.extra.get("layers"):
                pdf = self._render_layered(context, d, paper)
                if pdf is not None:
                    return pdf
            return self._render_full(context, d, paper)

    def _html(self, html: str, d: Design):
        from weasyprint import HTML

        return HTML(string=html, base_url=f"{APP_ORIGIN}design/{d.name}/", url_fetcher=self.fetcher)

    def _wrap(self, tree, d: Design):
        """An HTML document for WeasyPrint from an ElementTree (see ``_xml_tree``)."""
        import cssselect2

        if d.name not in self._empty_html:
            self._empty_html[d.name] = self._html("<html></html>", d)
        parsed = copy.copy(self._empty_html[d.name])
        parsed.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
        parsed.etree_element = parsed.wrapper_element.etree_element
        return parsed

    def _qr_operators(self, context: dict, d: Design, box) -> bytes:
        qr = context.get("qr")
        if qr is None:
            return b""
        if box is None:
            raise DesignError(f"design {d.name}: no element with id=\"qr\" for the QR code")
        return qr_operators(qr["matrix"], box, d.extra.get("qr_color", "#000000"))

    def _render_full(self, context: dict, d: Design, paper: str) -> bytes:
        """Style, lay out and draw the whole page (designs without layers, and text that
        does not fit a layered design's one-line slots)."""
        document = self._html(self.render_html(context, d.name, paper), d).render(
            stylesheets=self._stylesheets(d, paper), font_config=self.font_config)
        qr = self._qr_operators(context, d, _box_by_id(document.pages[0]._page_box, "qr"))
        return document.write_pdf(finisher=_PageFinisher(after=qr), uncompressed_pdf=False)

    def _render_layered(self, context: dict, d: Design, paper: str) -> bytes | None:
        """The cached static layer plus the variable text laid out alone, or None when the
        text does not fit the static layer's slots (the caller then renders the full page)."""
        static = self._static_layer(context, d, paper)
        if static is None:
            return None
        html = self.render_html(context, d.name, paper, layer="variable")
        tree = _xml_tree(html)
        direct = [line for slot in static.direct if (line := _take_line(tree, slot, static)) is not None] \
            if tree is not None else []
        direct_ids = {line.slot.id for line in direct}
        parsed = self._html(html, d) if tree is None else self._wrap(tree, d)
        document = parsed.render(stylesheets=static.stylesheets, font_config=self.font_config)
        if len(document.pages) != 1:
            return None
        page_box = document.pages[0]._page_box
        for slot in static.slots:
            if slot.id in direct_ids:
                continue
            box = _box_by_id(page_box, slot.id)
            if box is None or not _fits(box, slot):
                return None
            # Baselines where the placeholders' were: a line set partly in a taller face (a
            # Chinese name on a Latin certificate) stays on its baseline and does not push the
            # static wording below, as it would by a few points in the full layout.
            line = box.children[0]
            box.translate(dy=slot.baseline - (line.position_y + line.baseline))
        # The static glyphs go into the same font subsets as the variable ones.
        for key, (template, widths, to_unicode) in static.fonts.items():
            font = copy.copy(template)
            font.widths, font.to_unicode, font.missing = dict(widths), dict(to_unicode), {}
            font.variations = dict(template.variations)
            document.fonts[key] = font
        qr = self._qr_operators(context, d, static.qr)
        for line in direct:
            qr += line.operators(document.fonts)
        return document.write_pdf(finisher=_PageFinisher(before=static.operators, after=qr, states=static.states),
                                  uncompressed_pdf=False)

    def _static_layer(self, context: dict, d: Design, paper: str) -> _StaticLayer | None:
        html = self.render_html(context, d.name, paper, layer="static")
        key = (d.name, paper, html)
        if key in self._layers:
            self._layers.move_to_end(key)
            return self._layers[key]
        layer = self._build_static_layer(html, d, paper)
        self._layers[key] = layer
        if len(self._layers) > STATIC_LAYER_CACHE_SIZE:
            self._layers.popitem(last=False)
        return layer

    def _build_static_layer(self, html: str, d: Design, paper: str) -> _StaticLayer | None:
        from weasyprint import CSS
        from weasyprint.text.fonts import get_hb_object_data

        from academy.certificates import glyphs

        document = self._html(html, d).render(stylesheets=self._stylesheets(d, paper), font_config=self.font_config)
        if len(document.pages) != 1:
            return None
        page_box = document.pages[0]._page_box
        slots, styles = [], {}
        for slot_id in ("slot-name", "slot-title", "slot-details"):
            box = _box_by_id(page_box, slot_id)
            if box is None or len(box.children) != 1:
                return None
            line = box.children[0]
            slots.append(_Slot(slot_id, box.content_box_x(), box.content_box_y(), box.width, box.height,
                               line.position_y + line.baseline))
            styles[f"#{slot_id}"] = box.style
        verify = _box_by_id(page_box, "slot-verify")
        if verify is None or len(verify.children) < 4:
            return None
        for slot_id, line in (("slot-serial", verify.children[0]), ("slot-code", verify.children[-1])):
            slots.append(_Slot(slot_id, verify.content_box_x(), line.position_y, verify.width, line.height,
                               line.position_y + line.baseline))
            styles[f"#{slot_id}"] = verify.style
        for child in verify.children[0].children:
            if child.element_tag == "span":
                styles["#slot-serial span"] = child.style
        slots.sort(key=lambda slot: slot.y)
        serial_span = next((child for child in verify.children[0].children if child.element_tag == "span"), None)
        direct_lines = (("slot-serial", verify.children[0], serial_span), ("slot-code", verify.children[-1], None))
        captured: dict = {}

        def capture(document, pdf) -> None:
            page = pdf.objects[_object_number(pdf.pages["Kids"][0])]
            resources = pdf.objects[_object_number(page["Resources"])]
            stream = pdf.objects[_object_number(page["Contents"])]
            states = resources.get("ExtGState") or {}
            # alpha states are named after their value (a1.0 is {ca: 1.0}): safe to merge by name
            captured["states"] = {name: dict(state) for name, state in states.items()}
            captured["extra"] = any(resources.get(kind) for kind in ("XObject", "Pattern", "Shading")) or any(
                name[:1] not in ("a", "A") or not _is_plain(state) for name, state in states.items())
            captured["operators"] = pydyf_bytes(stream.stream)

        document.write_pdf(finisher=capture)
        fonts = {}
        for key, font in document.fonts.items():
            if font.missing or font.used_in_forms or font.bitmap:
                return None
            if key not in self._faces:
                # write_pdf left the subset in file_content; keep the whole face once per
                # process, and its HarfBuzz font (subsetting and shaping use it) alive with it
                face = copy.copy(font)
                face.file_content = get_hb_object_data(font.hb_face)
                glyphs.keep(font.hb_font)
                self._faces[key] = face
            fonts[key] = (self._faces[key], dict(font.widths), dict(font.to_unicode))
        if captured.get("extra", True):
            return None  # transparency, images or patterns: not handled, render whole pages
        css = _variable_layer_css(page_box, PAPERS[paper], slots, styles)
        by_family = {font.family: key for key, font in document.fonts.items()}

        def run_style(style) -> _RunStyle:
            # Only the first family: Pango takes every character it has from it, so text it
            # covers entirely is set exactly as Pango would; anything else is WeasyPrint's.
            return _RunStyle(style["font_size"], _rgb_of(style["color"]), by_family.get(style["font_family"][0]))

        direct = tuple(
            _DirectSlot(slot_id, verify.content_box_x(), verify.width, line.position_y + line.baseline,
                        _physical_align(verify.style["text_align_all"], verify.style["direction"]),
                        run_style(verify.style), None if span is None else run_style(span.style))
            for slot_id, line, span in direct_lines)
        qr = _box_by_id(page_box, "qr")
        return _StaticLayer(
            operators=captured["operators"],
            states=captured["states"],
            fonts=fonts,
            slots=tuple(slots),
            qr=None if qr is None else _Rect(qr.content_box_x(), qr.content_box_y(), qr.width, qr.height),
            stylesheets=[CSS(string=css, font_config=self.font_config)],
            direct=direct,
        )


#: static layers kept per process: one per design, paper, language, kind, issuer and type sizes
STATIC_LAYER_CACHE_SIZE = 64


@dataclass(frozen=True)
class _Slot:
    """Where the static layout put a one-line placeholder for variable text (CSS px)."""

    id: str
    x: float
    y: float
    width: float
    height: float
    baseline: float


@dataclass(frozen=True)
class _Rect:
    """A laid-out box's content area, enough for ``qr_operators``."""

    x: float
    y: float
    width: float
    height: float

    def content_box_x(self) -> float:
        return self.x

    def content_box_y(self) -> float:
        return self.y


@dataclass(frozen=True)
class _StaticLayer:
    operators: bytes
    states: dict
    fonts: dict
    slots: tuple[_Slot, ...]
    qr: _Rect | None
    #: the generated CSS sizing the page and placing and styling the variable text
    stylesheets: list
    #: the one-line slots whose text can be set without WeasyPrint (see ``_take_line``)
    direct: tuple = ()


@dataclass(frozen=True)
class _RunStyle:
    font_size: float
    color: str
    #: font key of the first face of font-family, if the static layer has loaded it
    face: object


@dataclass(frozen=True)
class _DirectSlot:
    """A line of the static layout (CSS px) that variable text may be set into directly."""

    id: str
    x: float
    width: float
    baseline: float
    align: str
    style: _RunStyle
    #: the style of a <span> inside the line (the serial number), if any
    span: _RunStyle | None


@dataclass
class _DirectLine:
    """Runs of text shaped by HarfBuzz and placed in their slot: (font key, style, glyphs)."""

    slot: _DirectSlot
    runs: list
    x: float

    def operators(self, fonts: dict) -> bytes:
        """Text operators for the page; records the glyphs in ``fonts`` (the document's)."""
        out = ["q 0.75 0 0 0.75 0 0 cm BT", f"1 0 0 -1 {self.x:.4f} {self.slot.baseline:.4f} Tm"]
        for key, style, glyphs in self.runs:
            font = fonts[key]
            parts = []
            for glyph in glyphs:
                width = font.widths.setdefault(glyph.id, round(glyph.nominal * 1000))
                font.to_unicode.setdefault(glyph.id, glyph.text)
                parts.append(f"<{glyph.id:04x}>")
                kerning = width - glyph.advance * 1000
                if abs(kerning) > 0.01:
                    parts.append(f"{kerning:.2f}")
            # TJ moves the text position by the run's width: the next run starts there
            out.append(f"{style.color} rg /{font.hash} {style.font_size:.4f} Tf [{' '.join(parts)}] TJ")
        out.append("ET Q\n")
        return "\n".join(out).encode("ascii")


#: bidi classes of text that would need reordering: such lines stay with WeasyPrint
_RTL = frozenset(("R", "AL", "AN", "RLE", "RLO", "RLI"))


def _take_line(tree, slot: _DirectSlot, static: _StaticLayer) -> _DirectLine | None:
    """Shape the text of the element ``slot.id`` (its text, one optional span and its tail)
    with HarfBuzz and empty the element, which keeps its height in the flow; or None, and
    the element stays for WeasyPrint, when the text is not left-to-right, is not all in
    the first face of its font-family, or does not fit the slot."""
    from academy.certificates import glyphs

    element = next((e for e in tree.iter() if e.get("id") == slot.id), None)
    if element is None or len(element) > 1 or (len(element) == 1 and (element[0].tag != "span" or slot.span is None
                                                                          or len(element[0]))):
        return None
    pieces = [(element.text, slot.style)]
    if len(element):
        pieces += [(element[0].text, slot.span), (element[0].tail, slot.style)]
    runs, width = [], 0.0
    for text, style in pieces:
        text = (text or "").translate(_ISOLATES)
        if not text:
            continue
        if not text.isprintable() or any(unicodedata.bidirectional(ch) in _RTL for ch in text):
            return None
        if style.face is None:
            return None
        shaped = glyphs.shape(glyphs.address(static.fonts[style.face][0].hb_font), text, tree.get("lang"))
        if shaped is None or any(glyph.x_offset or glyph.y_offset for glyph in shaped):
            return None
        runs.append((style.face, style, shaped))
        width += sum(glyph.advance for glyph in shaped) * style.font_size
    if not runs or width > slot.width + 0.5:
        return None
    x = {"left": slot.x, "right": slot.x + slot.width - width}.get(slot.align, slot.x + (slot.width - width) / 2)
    element.text = None
    for child in list(element):
        element.remove(child)
    return _DirectLine(slot, runs, x)


#: the bidi isolates around the serial and the code: nothing to isolate in a single run
_ISOLATES = dict.fromkeys(range(0x2066, 0x206A))


def _xml_tree(html: str):
    """The document's ElementTree if it is well-formed XML, else None. expat takes a tenth
    of a millisecond where the HTML5 parser takes one, a sixth of the floor; the tree is
    the one the HTML5 parser builds for such a document (no namespaces)."""
    try:
        # The document is the design's template with every value autoescaped: markup,
        # entities and a DTD can only come from the template itself, never from a name.
        return ElementTree.fromstring(html.removeprefix("<!doctype html>"))  # noqa: S314  # nosec B314
    except ElementTree.ParseError:
        return None


def _rgb_of(color) -> str:
    return " ".join(f"{channel:.4f}" for channel in color.to("srgb").coordinates)


def _physical_align(align: str, direction: str) -> str:
    if align in ("start", "end"):
        return {("start", "ltr"): "left", ("start", "rtl"): "right", ("end", "ltr"): "right",
                ("end", "rtl"): "left"}[(align, direction)]
    return align


#: computed properties copied from a static slot to the variable text that fills it, and
#: their initial values (not written: every declaration costs a little for each render).
#: overflow-wrap is left out: text that needs breaking does not fit a one-line slot anyway.
_TEXT_PROPERTIES = {"font_family": None, "font_size": None, "font_weight": 400, "font_style": "normal",
                    "line_height": "normal", "color": None, "text_align_all": "start", "letter_spacing": "normal",
                    "word_spacing": 0, "text_transform": "none"}


def _css_value(name: str, value) -> str:
    if name == "font_family":
        return ", ".join(f'"{family}"' if family not in ("serif", "sans-serif", "monospace") else family
                         for family in value)
    if name == "color":
        r, g, b = (channel * 255 for channel in value.to("srgb").coordinates)
        return f"rgb({r:.3f} {g:.3f} {b:.3f} / {value.alpha:.3f})"
    if name in ("font_size", "word_spacing"):
        return f"{value:.4f}px"
    if hasattr(value, "unit"):
        return f"{value.value:.4f}{value.unit}"
    return str(value)


def _variable_layer_css(page_box, paper: str, slots, styles) -> str:
    """The whole stylesheet of a variable layer: each slot-* element in normal flow at the
    place and in the type of the static layer's placeholder. Nothing else to cascade (the
    design's stylesheet is not used), so styling the page costs little more than the floor."""
    page_width = page_box.margin_width()
    rules = [f"@page {{ size: {paper}; margin: 0 }} html, body, p {{ margin: 0 }}"]
    bottom = 0.0
    for slot in slots:
        # margins on both sides agree, so the layout is the same in right-to-left pages
        rules.append(f"#{slot.id} {{ margin: {slot.y - bottom:.4f}px {page_width - slot.x - slot.width:.4f}px 0 "
                     f"{slot.x:.4f}px; width: {slot.width:.4f}px; height: {slot.height:.4f}px; }}")
        bottom = slot.y + slot.height
    for selector, style in styles.items():
        declarations = "; ".join(f"{name.replace('text_align_all', 'text_align').replace('_', '-')}: "
                                 f"{_css_value(name, style[name])}"
                                 for name, initial in _TEXT_PROPERTIES.items() if style[name] != initial)
        rules.append(f"{selector} {{ {declarations} }}")
    return "\n".join(rules)


def _fits(box, slot: _Slot) -> bool:
    """Whether the variable text laid out in ``box`` fills its slot as the one-line
    placeholder did: one line, no wider than the slot, at most half as tall again."""
    lines = box.children
    if len(lines) != 1 or lines[0].height > slot.height * 1.5:
        return False
    boxes = lines[0].children
    if not boxes:
        return True
    left = min(child.position_x for child in boxes)
    right = max(child.position_x + child.margin_width() for child in boxes)
    return left >= box.content_box_x() - 0.5 and right <= box.content_box_x() + box.width + 0.5


def _is_plain(state) -> bool:
    """An ExtGState of numbers only (no references to other objects)."""
    return all(isinstance(value, int | float) for value in state.values())


def pydyf_bytes(chunks) -> bytes:
    return b"\n".join(chunk if isinstance(chunk, bytes) else str(chunk).encode("ascii") for chunk in chunks)


def _box_by_id(box, element_id: str):
    """The first laid-out box of the element with this id (depth first), or None."""
    stack = [box]
    while stack:
        current = stack.pop()
        element = getattr(current, "element", None)
        if element is not None and element.get("id") == element_id:
            return current
        stack.extend(reversed(getattr(current, "children", None) or ()))
    return None


def _rgb(color: str) -> str:
    color = color.lstrip("#")
    return " ".join(f"{int(color[i:i + 2], 16) / 255:.3f}" for i in (0, 2, 4))


def qr_operators(matrix, box, color: str) -> bytes:
    """PDF drawing operators for a QR ``matrix`` (rows of 0/1) filling ``box``'s content
    area: one rectangle per horizontal run of dark modules, all filled at once. The page
    stream's state is pt from the page's top-left corner (y down); a transform to module
    units (0.75 pt per CSS px) keeps the rectangles in small integers."""
    n = len(matrix)
    module = min(box.width, box.height) / n * 0.75
    x0, y0 = box.content_box_x() * 0.75, box.content_box_y() * 0.75
    rects = [f"{run.start()} {r} {run.end() - run.start()} 1 re"
             for r, row in enumerate(matrix)
             for run in _DARK_RUN.finditer(bytes(row))]
    body = "\n".join(rects)
    return f"q {module:.5f} 0 0 {module:.5f} {x0:.4f} {y0:.4f} cm {_rgb(color)} rg\n{body}\nf Q\n".encode("ascii")


#: a run of dark modules in a QR matrix row (as bytes of 0 and 1)
_DARK_RUN = re.compile(b"\x01+")


class _PageFinisher:
    """Puts drawing operators before (under) and after (over) what WeasyPrint drew on the
    first page, in the page's own content stream."""

    def __init__(self, before: bytes = b"", after: bytes = b"", states: dict | None = None) -> None:
        self.before, self.after, self.states = before, after, states

    def __call__(self, document, pdf) -> None:
        import pydyf

        page = pdf.objects[_object_number(pdf.pages["Kids"][0])]
        stream = pdf.objects[_object_number(page["Contents"])]
        if self.states:
            resources = pdf.objects[_object_number(page["Resources"])]
            for name, state in self.states.items():
                resources["ExtGState"].setdefault(name, pydyf.Dictionary(state))
        if self.before:
            stream.stream.insert(0, b"q\n" + self.before + b"\nQ")
        if self.after:
            stream.stream.append(self.after)


def _object_number(reference) -> int:
    """``b"12 0 R"`` (pydyf's indirect reference) -> 12."""
    if isinstance(reference, bytes):
        reference = reference.decode("ascii")
    return int(str(reference).split()[0])


_renderer: Renderer | None = None
_renderer_lock = threading.Lock()


def get_renderer() -> Renderer:
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = Renderer()
    return _renderer


def render_pdf(context: dict, design: str = "classic", paper: str = "a4") -> bytes:
    return get_renderer().render(context, design, paper)


# --- layout helpers used to build the context ----------------------------------------


def display_width(text: str) -> int:
    """Width in 'narrow character' units: CJK ideographs and fullwidth forms count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def size_class(text: str, steps: tuple[tuple[int, str], ...]) -> str:
    """The first class whose limit the text's display width fits; long text gets smaller type."""
    width = display_width(text)
    for limit, name in steps:
        if width <= limit:
            return name
    return steps[-1][1]


def text_dir(text: str) -> str:
    """``rtl`` if the first strongly directional character is right-to-left."""
    for ch in text:
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            return "rtl"
        if bidi == "L":
            return "ltr"
    return "ltr"
