"""The QR code's modules: the reused layout gives exactly segno's matrix."""

from __future__ import annotations

import secrets

import pytest
import segno

from academy.certificates import qr


@pytest.mark.parametrize("base", ["https://academy.example.org/verify/", "http://127.0.0.1:5000/verify/",
                                  "https://training.a-long-organisation-name.example.int/academy/verify/"])
def test_the_qr_matrix_is_segnos_for_every_verification_url(base):
    for _ in range(20):
        url = base + secrets.token_urlsafe(24)
        expected = [list(row) for row in segno.make(url, error="m", mask=4, micro=False).matrix]
        assert qr.qr_matrix(url) == expected


def test_segno_internals_missing_falls_back_to_segno_make(monkeypatch):
    def broken(content):
        raise AttributeError("no such encoder function")

    monkeypatch.setattr(qr, "_message", broken)
    url = "https://academy.example.org/verify/" + secrets.token_urlsafe(24)
    assert qr.qr_matrix(url) == [list(row) for row in segno.make(url, error="m", mask=4, micro=False).matrix]
