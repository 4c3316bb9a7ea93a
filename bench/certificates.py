"""Certificate rendering benchmark: 200 PDFs in mixed languages in one process.

    .venv/bin/python bench/certificates.py [--count 200] [--out DIR] [--design NAME]

Times are CPU seconds of this process (one core), so other load on the machine does not
inflate them; wall-clock throughput is printed too. Prints PDFs/s and the median ms per
PDF for Latin-script certificates and for Chinese or Arabic ones, RSS after the warm-up
and every 50 PDFs (flat = no leak), and the floor: WeasyPrint's time in the same process,
with the same font configuration, for a one-line HTML page set in the same fonts,
measured right after each certificate (so both see the same load; it is left out of the
PDFs/s). Targets on one core: >= 10 PDFs/s Latin, >= 4 PDFs/s Chinese or Arabic, <= 2x
the floor.

Where the time goes (cProfile, WeasyPrint 70, 2026-11-22): WeasyPrint spends about a
millisecond styling, laying out and drawing each line of text, in Python, against a
floor that has one line; a certificate has about fifteen. Rendered whole (a design
without ``layers``, or text too long for its one-line slot) the classic certificate is
~3.7x the floor for Latin. Layered (pdf.py): the fixed wording is laid out and drawn once
per design, paper, language and kind and its operators reused; the serial number and the
verification code are shaped by HarfBuzz and written directly when they are
left-to-right in one face; WeasyPrint lays out only the name, the title and the
date/hours line. Latin certificates then cost ~10.4 ms against a floor of ~5.4 ms on an
idle core (both grow together under load; the ratio holds): 1.9x, 90 PDFs/s (Chinese or
Arabic 1.2x, 33 PDFs/s; an Arabic page keeps the serial and code lines in WeasyPrint,
for bidi and Pango's mixed faces). The modern design measures the same. Of the ~5 ms above the
floor, laying out two more lines is ~1.8 ms; writing the PDF ~1.6 ms more than the
floor's (two more lines drawn, the static glyphs in the subsets, the static, QR and
direct operators); certificate_context ~0.9 ms (0.5 of it the QR code); the templates,
expat and HarfBuzz ~0.6 ms; the rest ~0.5 ms. RSS is ~20 MB higher than without layers (a whole copy of each face
the static layers use, kept once per process; the static layers themselves are a few KB
each, at most 64) and flat.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import CSS, HTML  # noqa: E402

from academy import create_app  # noqa: E402
from academy.certificates.pdf import get_renderer  # noqa: E402
from academy.certificates.services import render_certificate_pdf, sample_certificate  # noqa: E402

#: (certificate language, learner name): Latin, Cyrillic, CJK, Arabic, mixed scripts
CASES = [
    ("en", "Jane Wanjiku Mwangi"),
    ("fr", "Hérimanana Rakotomalala-Andriamanjato"),
    ("es", "María Fernanda Quispe Huamán"),
    ("ru", "Екатерина Александровна Смирнова"),
    ("en", "Juan de la Cruz Dimaculangan"),
    ("pt", "João Carlos Albuquerque"),
    ("zh", "王小明"),
    ("ar", "فاطمة عبد الرحمن القحطاني"),
    ("en", "李娜 (Li Na)"),
    ("fr", "عبد الله بن سعود"),
]
NON_LATIN = {"zh", "ar"}
FLOOR_CSS = 'body { font-family: "Noto Serif", "Noto Serif CJK SC", "Noto Naskh Arabic", serif; }'


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def group_of(cert) -> str:
    """Chinese or Arabic anywhere on the page (language or name) costs more: bigger fonts."""
    if cert.language in NON_LATIN or any(ord(ch) > 0x2000 for ch in cert.learner_name):
        return "cjk_arabic"
    return "latin"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--out", type=Path, help="keep the PDFs in this directory")
    parser.add_argument("--design", help="certificate design (default: the configured one, classic)")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    app = create_app({
        "ACADEMY_ENV": "testing", "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.db'}", "INSTANCE_DIR": str(instance),
        "BASE_URL": "https://academy.example.org",
    })
    renderer = get_renderer()
    floor_css = CSS(string=FLOOR_CSS, font_config=renderer.font_config)

    def floor_page(cert) -> bytes:
        html = f'<html lang="{cert.language}"><p>{cert.learner_name}</p></html>'
        return HTML(string=html).write_pdf(stylesheets=[floor_css], font_config=renderer.font_config)

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {"latin": [], "cjk_arabic": []}
    floor: dict[str, list[float]] = {"latin": [], "cjk_arabic": []}
    rss_samples: list[float] = []
    total_bytes = 0
    with app.app_context():
        certs = [sample_certificate(lang, name=name, design=args.design) for lang, name in CASES]
        # Warm-up: fonts loaded, stylesheets parsed (a long-lived worker pays this once).
        for cert in certs * 2:
            render_certificate_pdf(cert)
            floor_page(cert)
        rss_samples.append(rss_mb())
        started, wall_started = time.process_time(), time.perf_counter()
        floor_cpu = floor_wall = 0.0
        for i, cert in zip(range(args.count), itertools.cycle(certs), strict=False):
            t0 = time.process_time()
            pdf = render_certificate_pdf(cert)
            times[group_of(cert)].append(time.process_time() - t0)
            total_bytes += len(pdf)
            if args.out:
                (args.out / f"{i:03d}-{cert.language}.pdf").write_bytes(pdf)
            # The floor, right after each certificate, in the same process, fonts and font
            # configuration: both see the same load on the machine and the same heap.
            w0, t0 = time.perf_counter(), time.process_time()
            floor_page(cert)
            floor[group_of(cert)].append(time.process_time() - t0)
            floor_cpu, floor_wall = floor_cpu + floor[group_of(cert)][-1], floor_wall + time.perf_counter() - w0
            if (i + 1) % 50 == 0:
                rss_samples.append(rss_mb())
        elapsed = time.process_time() - started - floor_cpu
        wall = time.perf_counter() - wall_started - floor_wall

    n = len(times["latin"]) + len(times["cjk_arabic"])
    median_all = statistics.median(times["latin"] + times["cjk_arabic"])
    print(f"design {certs[0].design}, paper {certs[0].paper}")
    print(f"certificates: {n} PDFs in {elapsed:.2f} s CPU = {n / elapsed:.1f} PDFs/s "
          f"({n / wall:.1f} PDFs/s wall clock); median {median_all * 1000:.1f} ms; "
          f"mean size {total_bytes / n / 1024:.0f} KiB")
    for group, label, target in (("latin", "Latin/Cyrillic", 10), ("cjk_arabic", "Chinese or Arabic", 4)):
        if not times[group]:
            continue
        med, fl = statistics.median(times[group]), statistics.median(floor[group])
        rate = len(times[group]) / sum(times[group])
        print(f"  {label:18} {len(times[group]):4d} PDFs {rate:6.1f} PDFs/s (target >= {target})  "
              f"median {med * 1000:6.1f} ms  floor {fl * 1000:5.1f} ms  ratio {med / fl:4.2f}x (target <= 2x)")
    samples = ", ".join(f"{r:.0f}" for r in rss_samples)
    print(f"RSS MB after warm-up and every 50 PDFs: {samples}; peak {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
