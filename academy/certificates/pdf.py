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
"""

from __future__ import annotations

import logging
import mimetypes
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

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

    def render_html(self, context: dict, design: str = "classic", paper: str = "a4") -> str:
        d = get_design(design)
        template = self.env.get_template(f"{d.directory.name}/{d.template}")
        return template.render(design=d, paper=paper, **context)

    def render(self, context: dict, design: str = "classic", paper: str = "a4") -> bytes:
        d = get_design(design)
        if paper not in d.papers:
            raise DesignError(f"design {d.name} has no {paper} layout")
        from weasyprint import HTML

        html = self.render_html(context, design, paper)
        qr = context.get("qr")
        with self._lock:
            document = HTML(
                string=html,
                base_url=f"{APP_ORIGIN}design/{d.name}/",
                url_fetcher=self.fetcher,
            ).render(stylesheets=self._stylesheets(d, paper), font_config=self.font_config)
            finisher = None
            if qr is not None:
                box = _box_by_id(document.pages[0]._page_box, "qr")
                if box is None:
                    raise DesignError(f"design {d.name}: no element with id=\"qr\" for the QR code")
                finisher = _QRFinisher(qr_operators(qr["matrix"], box, d.extra.get("qr_color", "#000000")))
            return document.write_pdf(finisher=finisher, uncompressed_pdf=False)


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
    area: one rectangle per horizontal run of dark modules, all filled at once. Units are
    CSS px from the page's top-left corner, the state WeasyPrint leaves its page stream in
    after scaling back by 0.75 (pt per px)."""
    n = len(matrix)
    side = min(box.width, box.height)
    module = side / n
    x0, y0 = box.content_box_x(), box.content_box_y()
    rects: list[str] = []
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                rects.append(f"{x0 + start * module:.3f} {y0 + r * module:.3f} {(c - start) * module:.3f} "
                             f"{module:.3f} re")
            else:
                c += 1
    body = "\n".join(rects)
    return f"q 0.75 0 0 0.75 0 0 cm {_rgb(color)} rg\n{body}\nf Q\n".encode("ascii")


class _QRFinisher:
    """Appends the QR operators to the first page's content stream before the PDF is written."""

    def __init__(self, operators: bytes) -> None:
        self.operators = operators

    def __call__(self, document, pdf) -> None:
        page = pdf.objects[_object_number(pdf.pages["Kids"][0])]
        stream = pdf.objects[_object_number(page["Contents"])]
        stream.stream.append(self.operators)


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
