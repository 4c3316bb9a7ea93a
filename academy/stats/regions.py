"""WIPO-style regions: the country → region mapping kept in regions.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l

REGIONS_FILE = Path(__file__).with_name("regions.yaml")
UNKNOWN = "unknown"

REGION_TITLES = {
    "africa": _l("Africa"),
    "arab": _l("Arab region"),
    "asia_pacific": _l("Asia and the Pacific"),
    "latin_america_caribbean": _l("Latin America and the Caribbean"),
    "europe_central_asia": _l("Central Europe and Baltic / Central Asia"),
    "developed": _l("Developed countries"),
    UNKNOWN: _l("Unknown region"),
}


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[str, ...], dict[str, str]]:
    data = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]
    order: list[str] = []
    by_country: dict[str, str] = {}
    for region, codes in data.items():
        if region not in REGION_TITLES:
            raise ValueError(f"{REGIONS_FILE.name}: region {region!r} has no title")
        order.append(region)
        for code in codes:
            if not isinstance(code, str) or len(code) != 2:
                raise ValueError(f"{REGIONS_FILE.name}: {code!r} in {region} is not a country code")
            if code in by_country:
                raise ValueError(f"{REGIONS_FILE.name}: {code} is in {by_country[code]} and {region}")
            by_country[code] = region
    return tuple(order), by_country


def region_order() -> tuple[str, ...]:
    """Region keys in display order, the unknown bucket last."""
    return (*_load()[0], UNKNOWN)


def region_map() -> dict[str, str]:
    """{country code: region key} for every mapped country (others are UNKNOWN)."""
    return _load()[1]


def region_of(country_code: str | None) -> str:
    return _load()[1].get(country_code or "", UNKNOWN)


def countries_in(region: str) -> list[str]:
    return sorted(code for code, r in _load()[1].items() if r == region)


def mapped_countries() -> set[str]:
    return set(_load()[1])


def region_title(region: str) -> str:
    return str(REGION_TITLES.get(region, REGION_TITLES[UNKNOWN]))
