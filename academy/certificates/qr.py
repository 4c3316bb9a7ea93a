"""The modules of a certificate's QR code (the verification URL), from segno, reusing
everything that does not depend on the URL.

``segno.make`` spends most of its millisecond on the parts of a QR code that are the
same for every URL of the same length: placing the function patterns, walking the
matrix to find where each bit of the message goes, and XORing the data mask module by
module in Python. Verification URLs all have one length, so ``qr_matrix`` does that walk
once per (version, error level, mask) and afterwards only computes the message bits
(segno's own encoder: segments, padding, Reed-Solomon) and drops them into place.

The layout is derived from a code segno made, not re-implemented: for the first URL of a
version, the positions come from segno's placement of numbered markers and the base
matrix and mask come from segno's finished matrix; the result for a second URL is checked
against ``segno.make`` before the layout is trusted. segno's encoder functions are not
its public API: if they change, ``qr_matrix`` falls back to ``segno.make``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from itertools import chain, zip_longest

import segno

log = logging.getLogger(__name__)

#: a fixed mask skips segno's search over the eight (any mask is valid)
MASK = 4
ERROR = "m"


@dataclass(frozen=True)
class _Layout:
    width: int
    #: the finished matrix of the sample URL with its message modules cleared to the mask bit
    base: tuple[int, ...]
    #: flat index of each message bit's module, in message order
    positions: tuple[int, ...]


#: the eight bits of each byte value, most significant first, as bytes of 0 and 1
_BITS = tuple(bytes((value >> shift) & 1 for shift in range(7, -1, -1)) for value in range(256))

_layouts: dict[tuple[int, int], _Layout | None] = {}
_lock = threading.Lock()


def _segno_matrix(content: str) -> list[list[int]]:
    return [list(row) for row in segno.make(content, error=ERROR, mask=MASK, micro=False).matrix]


def _message(content: str) -> tuple[int, int, bytes]:
    """(version, error level, message bits incl. error correction) as segno.make chooses them."""
    from segno import consts, encoder

    segments = encoder.prepare_data(content, None, None)
    error = encoder.normalize_errorlevel(ERROR)
    version = encoder.find_version(segments, error, eci=False, micro=False)
    error = encoder.boost_error_level(version, error, segments, False)
    buff = encoder.Buffer()
    for segment in segments:
        encoder.write_segment(buff, segment, None, encoder.version_range(version), False)
    capacity = consts.SYMBOL_CAPACITY[version][error]
    encoder.write_terminator(buff, capacity, None, len(buff))
    encoder.write_padding_bits(buff, version, len(buff))
    encoder.write_pad_codewords(buff, version, capacity, len(buff))
    # segno's make_final_message, without its generator per bit (a third of the time left)
    data_blocks, error_blocks = encoder.make_blocks(consts.ECC[version][error], buff)
    codewords = [x for blocks in (data_blocks, error_blocks)
                 for x in chain.from_iterable(zip_longest(*blocks)) if x is not None]
    # (the remainder bits after the codewords are zeros: the layout's base matrix has them)
    return version, error, b"".join(_BITS[x] for x in codewords)


def _build_layout(version: int, bits: bytes, content: str) -> _Layout:
    from segno import encoder

    width = encoder.calc_matrix_size(version)
    probe = [list(row) for row in encoder.make_matrix(width, width)]
    encoder.add_finder_patterns(probe, width, width)
    encoder.add_alignment_patterns(probe, width, width)
    # numbered markers instead of bits: where segno puts bit k is where marker k + 3 lands
    encoder.add_codewords(probe, list(range(3, 3 + len(bits))), version)
    positions = [0] * len(bits)
    for i, row in enumerate(probe):
        for j, value in enumerate(row):
            if value >= 3:
                positions[value - 3] = i * width + j
    base = [value for row in _segno_matrix(content) for value in row]
    for index, bit in zip(positions, bits, strict=True):
        base[index] ^= bit  # leaves the mask bit of each message module
    return _Layout(width, tuple(base), tuple(positions))


def _place(layout: _Layout, bits: bytes) -> list[list[int]]:
    flat = list(layout.base)
    for index, bit in zip(layout.positions, bits, strict=True):
        if bit:
            flat[index] ^= 1
    w = layout.width
    return [flat[i:i + w] for i in range(0, w * w, w)]


def qr_matrix(content: str) -> list[list[int]]:
    """Rows of 0/1 modules of ``segno.make(content, error="m", mask=4, micro=False)``."""
    try:
        version, error, bits = _message(content)
    except Exception:  # segno's internals changed: its public API still works
        log.warning("segno encoder internals unavailable; QR codes take the slow path", exc_info=True)
        return _segno_matrix(content)
    key = (version, error)
    layout = _layouts.get(key)
    if key not in _layouts:
        with _lock:
            try:
                layout = _build_layout(version, bits, content)
                # another message of the same characters, so the same version and error level
                check = content[1:] + content[:1]
                check_version, check_error, check_bits = _message(check)
                if (check_version, check_error) != key or _place(layout, check_bits) != _segno_matrix(check):
                    raise ValueError("QR layout does not reproduce segno's matrix")
            except Exception:
                log.warning("QR layout for version %s not reusable; QR codes take the slow path", version,
                            exc_info=True)
                layout = None
            _layouts[key] = layout
    if layout is None:
        return _segno_matrix(content)
    return _place(layout, bits)
