"""Layered rendering: the static wording is drawn once and reused, each certificate lays
out only its own text, and the result reads like the whole page rendered at once."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from academy.certificates import pdf
from academy.certificates.services import certificate_context, sample_certificate
from tests.certificates.conftest import pdf_text

NOV_22 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _context(lang: str, **kw) -> dict:
    cert = sample_certificate(lang, **kw)
    cert.issued_at = NOV_22
    return certificate_context(cert)


def _letters(data: bytes) -> list[str]:
    """The printed characters, in any order (the layers are extracted static text first, and
    right-to-left lines split into words differently)."""
    return sorted("".join(pdf_text(data).replace("\u2066", "").replace("\u2069", "").split()))


@pytest.mark.parametrize("design", sorted(pdf.DESIGNS))
@pytest.mark.parametrize("lang", ["en", "ru", "zh", "ar"])
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_layered_certificate_prints_what_the_whole_page_prints(app_ctx, design, lang, paper):
    renderer, design = pdf.get_renderer(), pdf.get_design(design)
    assert design.extra.get("layers")
    context = _context(lang, paper=paper, design=design.name)
    layered = renderer._render_layered(context, design, paper)
    if paper == "a4":
        assert layered is not None
    if layered is not None:  # (a title that wraps on the narrower letter page takes the full path)
        assert _letters(layered) == _letters(renderer._render_full(context, design, paper))
        assert len(PdfReader(io.BytesIO(layered)).pages) == 1


def test_a_name_in_a_taller_script_still_takes_the_layered_path(app_ctx):
    renderer, design = pdf.get_renderer(), pdf.get_design("classic")
    context = _context("en", name="李娜 (Li Na)")
    layered = renderer._render_layered(context, design, "a4")
    assert layered is not None and "李娜" in pdf_text(layered)


def test_text_too_long_for_its_slot_falls_back_to_the_whole_page(app_ctx):
    renderer, design = pdf.get_renderer(), pdf.get_design("classic")
    name = "Maria del Carmen de la Santísima Trinidad Fernández y Quispe Huamán Rakotomalala-Andriamanjato"
    context = _context("es", name=name)
    assert renderer._render_layered(context, design, "a4") is None
    data = renderer.render(context, "classic", "a4")
    assert "Andriamanjato" in pdf_text(data) and len(PdfReader(io.BytesIO(data)).pages) == 1


def test_static_layers_are_reused_and_bounded(app_ctx, monkeypatch):
    renderer, design = pdf.get_renderer(), pdf.get_design("classic")
    monkeypatch.setattr(pdf, "STATIC_LAYER_CACHE_SIZE", 2)
    monkeypatch.setattr(renderer, "_layers", type(renderer._layers)())
    first = renderer._static_layer(_context("en"), design, "a4")
    # another learner, serial and code: the same static layer
    assert renderer._static_layer(_context("en", name="Juan de la Cruz"), design, "a4") is first
    renderer._static_layer(_context("fr"), design, "a4")
    renderer._static_layer(_context("ru"), design, "a4")
    assert len(renderer._layers) == 2
    assert renderer._static_layer(_context("en"), design, "a4") is not first  # evicted, built again


def _direct(renderer, design, context) -> set[str]:
    """The slots whose text the renderer sets itself (HarfBuzz), not WeasyPrint."""
    static = renderer._static_layer(context, design, "a4")
    tree = pdf._xml_tree(renderer.render_html(context, design.name, "a4", layer="variable"))
    return {slot.id for slot in static.direct if pdf._take_line(tree, slot, static) is not None}


@pytest.mark.parametrize("design", sorted(pdf.DESIGNS))
@pytest.mark.parametrize(("lang", "direct"), [
    ("en", {"slot-serial", "slot-code"}), ("ru", {"slot-serial", "slot-code"}), ("zh", {"slot-serial", "slot-code"}),
    ("ar", set()),
])
def test_serial_and_code_are_set_without_weasyprint_and_still_extractable(app_ctx, design, lang, direct):
    renderer, design = pdf.get_renderer(), pdf.get_design(design)
    context = _context(lang, design=design.name)
    # An Arabic label needs WeasyPrint's bidi, and the first face of an Arabic page (Naskh)
    # has not every Latin letter of the code: Pango would mix faces, WeasyPrint sets those.
    assert _direct(renderer, design, context) == direct
    text = pdf_text(renderer._render_layered(context, design, "a4"))
    assert context["verification_code"] in text and context["serial"] in text
    assert context["text"]["serial_label"] in text


def test_text_a_face_cannot_set_is_laid_out_by_weasyprint(app_ctx):
    renderer, design = pdf.get_renderer(), pdf.get_design("classic")
    context = {**_context("en"), "verification_code": "Ωmega-\u0628code"}  # a right-to-left letter
    assert _direct(renderer, design, context) == {"slot-serial"}
    assert "Ωmega" in pdf_text(renderer._render_layered(context, design, "a4"))
