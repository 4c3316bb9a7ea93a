"""Certificate rendering benchmark: stock WeasyPrint, one process, one core.

    .venv/bin/python bench/certificates.py [--count 100] [--soak 1000] [--design NAME] [--out DIR]

Prints PDFs/s for a Latin-script (French), a Chinese and an Arabic certificate, each
against the baseline measured in the same run: a one-line HTML page set in the same fonts,
rendered with the same font configuration right after each certificate (so both see the
same load on the machine). Then RSS before and after ``--soak`` more certificates (the
three in turn): flat means nothing accumulates per certificate. Times are CPU seconds of
this process, so other load on the machine inflates them less than wall-clock time; the
load average is printed next to the figures. Targets on one core: >= 30 PDFs/s Latin,
>= 12 PDFs/s Chinese or Arabic, RSS flat.

Needs Debian's libharfbuzz-subset0 (without it WeasyPrint subsets fonts in pure Python,
10-100x slower) and the Noto fonts (fonts-noto-core, fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import itertools
import os
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

#: (label, certificate language, target PDFs/s on one core)
CASES = [("Latin (fr)", "fr", 30), ("Chinese (zh)", "zh", 12), ("Arabic (ar)", "ar", 12)]
FLOOR_CSS = 'body { font-family: "Noto Serif", "Noto Serif CJK SC", "Noto Naskh Arabic", serif; }'


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100, help="timed certificates per language")
    parser.add_argument("--soak", type=int, default=1000, help="certificates rendered between the RSS readings")
    parser.add_argument("--design", help="certificate design (default: the configured one, classic)")
    parser.add_argument("--out", type=Path, help="write one PDF per language to this directory")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    app = create_app({
        "ACADEMY_ENV": "testing", "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.db'}", "INSTANCE_DIR": str(instance),
        "BASE_URL": "https://academy.example.org",
    })
    font_config = get_renderer().font_config
    floor_css = CSS(string=FLOOR_CSS, font_config=font_config)

    def floor_page(cert) -> bytes:
        html = f'<html lang="{cert.language}"><p>{cert.learner_name}</p></html>'
        return HTML(string=html).write_pdf(stylesheets=[floor_css], font_config=font_config)

    print(f"WeasyPrint, stock: {load()}")
    with app.app_context():
        certs = {lang: sample_certificate(lang, design=args.design) for _label, lang, _target in CASES}
        # Warm-up: fonts loaded and stylesheets parsed (a long-lived worker pays this once).
        for cert in list(certs.values()) * 3:
            render_certificate_pdf(cert)
            floor_page(cert)
        first = next(iter(certs.values()))
        print(f"design {first.design}, paper {first.paper}; {args.count} PDFs per language, CPU time of one process")
        for label, lang, target in CASES:
            cert, times, floor, size = certs[lang], [], [], 0
            for _ in range(args.count):
                t0 = time.process_time()
                pdf = render_certificate_pdf(cert)
                times.append(time.process_time() - t0)
                size = len(pdf)
                t0 = time.process_time()
                floor_page(cert)
                floor.append(time.process_time() - t0)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{lang}.pdf").write_bytes(pdf)
            rate, floor_rate = len(times) / sum(times), len(floor) / sum(floor)
            verdict = "ok" if rate >= target else "BELOW TARGET"
            print(f"  {label:13} {rate:6.1f} PDFs/s (target >= {target}, {verdict})  "
                  f"median {statistics.median(times) * 1000:5.1f} ms  {size / 1024:5.0f} KiB | "
                  f"baseline one-line page {floor_rate:6.1f} PDFs/s, median {statistics.median(floor) * 1000:4.1f} ms"
                  f" | {statistics.median(times) / statistics.median(floor):.1f}x the baseline's time")
        print(f"  ({load()})")

        before = rss_mb()
        readings = []
        step = max(args.soak // 4, 1)
        for i, cert in zip(range(args.soak), itertools.cycle(certs.values()), strict=False):
            render_certificate_pdf(cert)
            if (i + 1) % step == 0:
                readings.append(rss_mb())
        after = rss_mb()
    print(f"RSS over {args.soak} more certificates: {before:.0f} MB before, {after:.0f} MB after "
          f"({after - before:+.1f} MB; every {step}: {', '.join(f'{r:.0f}' for r in readings)})")
    print(f"  ({load()})")


if __name__ == "__main__":
    main()
