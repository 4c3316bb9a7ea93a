"""The country → region file covers every country a learner can choose, once."""

from academy.core.i18n import country_choices
from academy.stats import regions


def test_every_selectable_country_has_exactly_one_region(app_ctx):
    selectable = {code for code, _name in country_choices("en")}
    mapped = regions.mapped_countries()
    assert selectable - mapped == set()
    assert mapped - selectable == set()


def test_regions_follow_the_wipo_groupings(app_ctx):
    assert regions.region_of("KE") == "africa"
    assert regions.region_of("SA") == "arab"
    assert regions.region_of("EG") == "arab"
    assert regions.region_of("CN") == "asia_pacific"
    assert regions.region_of("PE") == "latin_america_caribbean"
    assert regions.region_of("KZ") == "europe_central_asia"
    assert regions.region_of("NO") == "developed"  # the YAML "Norway problem"
    assert regions.region_of("ZZ") == "unknown"
    assert regions.region_order()[-1] == "unknown"
