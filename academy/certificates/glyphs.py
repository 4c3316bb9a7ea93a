"""Short left-to-right lines set straight into a PDF page: the serial number and the
verification code.

Each line WeasyPrint styles, lays out and draws costs about a millisecond, a sixth of the
floor. For a line in one face with nothing to reorder, HarfBuzz shapes the text here with
the HarfBuzz font Pango uses for that face and in the page's language (kerning,
ligatures and localized forms as Pango would get them), and the renderer writes the
glyphs next to WeasyPrint's text operators, into the same font subset, with their
Unicode values for extraction (see ``pdf._take_line``).

WeasyPrint binds only the HarfBuzz functions it needs, so this module binds the few
shaping functions itself (cffi, the same shared library).
"""

from __future__ import annotations

from dataclasses import dataclass

from cffi import FFI

_ffi = FFI()
_ffi.cdef("""
    typedef struct hb_font_t hb_font_t;
    typedef struct hb_buffer_t hb_buffer_t;
    typedef uint32_t hb_codepoint_t;
    typedef int32_t hb_position_t;
    typedef uint32_t hb_mask_t;
    typedef union { uint32_t u32; int32_t i32; uint16_t u16[2]; int16_t i16[2];
                    uint8_t u8[4]; int8_t i8[4]; } hb_var_int_t;
    typedef struct { hb_codepoint_t codepoint; hb_mask_t mask; uint32_t cluster;
                     hb_var_int_t var1; hb_var_int_t var2; } hb_glyph_info_t;
    typedef struct { hb_position_t x_advance; hb_position_t y_advance;
                     hb_position_t x_offset; hb_position_t y_offset;
                     hb_var_int_t var; } hb_glyph_position_t;
    typedef struct { uint32_t tag; uint32_t value; unsigned int start; unsigned int end; } hb_feature_t;
    hb_buffer_t * hb_buffer_create (void);
    void hb_buffer_destroy (hb_buffer_t *buffer);
    void hb_buffer_add_utf8 (hb_buffer_t *buffer, const char *text, int text_length,
                             unsigned int item_offset, int item_length);
    void hb_buffer_guess_segment_properties (hb_buffer_t *buffer);
    void hb_shape (hb_font_t *font, hb_buffer_t *buffer, const hb_feature_t *features,
                   unsigned int num_features);
    hb_glyph_info_t * hb_buffer_get_glyph_infos (hb_buffer_t *buffer, unsigned int *length);
    hb_glyph_position_t * hb_buffer_get_glyph_positions (hb_buffer_t *buffer, unsigned int *length);
    void hb_font_get_scale (hb_font_t *font, int *x_scale, int *y_scale);
    hb_position_t hb_font_get_glyph_h_advance (hb_font_t *font, hb_codepoint_t glyph);
    typedef const struct hb_language_impl_t *hb_language_t;
    hb_language_t hb_language_from_string (const char *str, int len);
    void hb_buffer_set_language (hb_buffer_t *buffer, hb_language_t language);
    hb_font_t * hb_font_reference (hb_font_t *font);
""")
_hb = None


def _harfbuzz():
    global _hb
    if _hb is None:
        for name in ("libharfbuzz.so.0", "harfbuzz", "libharfbuzz.0.dylib", "libharfbuzz-0.dll"):
            try:
                _hb = _ffi.dlopen(name)
                break
            except OSError:
                continue
        else:
            raise OSError("HarfBuzz not found")
    return _hb


@dataclass(frozen=True)
class Glyph:
    id: int
    #: the characters this glyph stands for (for the PDF's ToUnicode map)
    text: str
    #: advance (kerned) and offsets in ems
    advance: float
    x_offset: float
    y_offset: float
    #: the glyph's own advance in ems, unkerned (the font's /W entry)
    nominal: float


def shape(hb_font_address: int, text: str, lang: str | None = None) -> list[Glyph] | None:
    """Glyphs of ``text`` in the HarfBuzz font at ``hb_font_address`` (WeasyPrint's
    ``Font.hb_font``), or None if the face lacks a character (Pango would fall back).
    ``lang`` (the page's, as Pango gets it) selects localized forms."""
    hb = _harfbuzz()
    font = _ffi.cast("hb_font_t *", hb_font_address)
    scale_x, scale_y = _ffi.new("int *"), _ffi.new("int *")
    hb.hb_font_get_scale(font, scale_x, scale_y)
    if not scale_x[0]:
        return None
    data = text.encode("utf-8")
    buffer = hb.hb_buffer_create()
    try:
        hb.hb_buffer_add_utf8(buffer, data, len(data), 0, len(data))
        if lang:
            hb.hb_buffer_set_language(buffer, hb.hb_language_from_string(lang.encode("ascii"), -1))
        hb.hb_buffer_guess_segment_properties(buffer)
        hb.hb_shape(font, buffer, _ffi.NULL, 0)
        length = _ffi.new("unsigned int *")
        infos = hb.hb_buffer_get_glyph_infos(buffer, length)
        positions = hb.hb_buffer_get_glyph_positions(buffer, length)
        count = length[0]
        clusters = [infos[i].cluster for i in range(count)] + [len(data)]
        glyphs = []
        for i in range(count):
            if infos[i].codepoint == 0:
                return None
            pos, glyph_id = positions[i], infos[i].codepoint
            glyphs.append(Glyph(glyph_id, data[clusters[i]:clusters[i + 1]].decode("utf-8"),
                                pos.x_advance / scale_x[0], pos.x_offset / scale_x[0],
                                pos.y_offset / scale_y[0],
                                hb.hb_font_get_glyph_h_advance(font, glyph_id) / scale_x[0]))
        return glyphs
    finally:
        hb.hb_buffer_destroy(buffer)


def address(cdata) -> int:
    """The address behind a cffi pointer from another FFI instance (WeasyPrint's)."""
    from weasyprint.text.ffi import ffi

    return int(ffi.cast("uintptr_t", cdata))


def keep(cdata) -> None:
    """Take a reference on a HarfBuzz font (and so on its face) that outlives the Pango
    font it came from: the renderer keeps one per face for the life of the process."""
    _harfbuzz().hb_font_reference(_ffi.cast("hb_font_t *", address(cdata)))
