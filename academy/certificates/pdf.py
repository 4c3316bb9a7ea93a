"""Certificate designs and the PDF renderer.

A design is a directory holding ``design.yaml`` (metadata), a Jinja HTML template and
CSS. Designs are rendered from a plain dict (see ``services.certificate_context``): no
ORM objects, no request, no database in a template. WeasyPrint renders the page through
its public API only (``HTML(...).write_pdf(...)``) and fetches resources through
``AppFileFetcher``, which serves only the design's own directory, the app's static files
and ``data:`` URIs; it refuses the network and every other ``file:`` path.

One ``FontConfiguration`` and the parsed stylesheets of each design and paper live for
the whole process: WeasyPrint's font look-ups are cached on them, so only the first
certificate of a process pays for loading the fonts.
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
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

# WeasyPrint logs every rendering step (and its stylesheet loading at import) at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

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
    #: colour of the QR code's dark modules
    qr_color: str = "#000000"
    extra: dict = field(default_factory=dict)


_KNOWN_META = {"name", "title", "description", "template", "stylesheets", "papers", "qr_color"}
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
        qr_color=str(meta.get("qr_color", "#000000")),
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
    from weasyprint.urls import URLFetcher, URLFetcherResponse

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
    """Renders designs to PDF bytes with one font configuration for the process."""

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
        # WeasyPrint does not say that one FontConfiguration may serve two renders at once
        # (Pango's font map is behind it); a certificate is rendered once, so threads take turns.
        self._lock = threading.Lock()

    def _stylesheets(self, design: Design, paper: str) -> list:
        """The design's stylesheets and its page size, parsed once per process."""
        from weasyprint import CSS

        key = (design.name, paper)
        if key not in self._css:
            sheets = [
                CSS(
                    string=(design.directory / name).read_text(encoding="utf-8"),
                    base_url=base_url(design),
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
        from weasyprint import HTML

        d = get_design(design)
        if paper not in d.papers:
            raise DesignError(f"design {d.name} has no {paper} layout")
        html = self.render_html(context, d.name, paper)
        with self._lock:
            return HTML(string=html, base_url=base_url(d), url_fetcher=self.fetcher).write_pdf(
                stylesheets=self._stylesheets(d, paper), font_config=self.font_config)


def base_url(design: Design) -> str:
    """Where a design's relative URLs point: its own directory, through the fetcher."""
    return f"{APP_ORIGIN}design/{design.name}/"


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


def qr_svg_uri(url: str, design: str = "classic") -> str:
    """The QR code of ``url`` as an SVG data URI, in the design's colour: vector, so sharp
    at any size, and sized by the design's CSS (no quiet zone: the page around it is blank)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(border=0, omitsize=True, dark=get_design(design).qr_color)


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
