"""The registries every layer shares: entity kinds, relations, statuses and qualifiers.

Adding a kind here adds its folder, its ``cspace KIND QUERY`` command and its place in
the JSON schema; nothing else needs to change.
"""

from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    name: str
    plural: str
    help: str
    example: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("country", "countries", "A country and its national figures.", "china"),
        Kind(
            "province",
            "provinces",
            "A province-level unit (Beijing, Tianjin, Shanghai too).",
            "shandong",
        ),
        Kind(
            "region",
            "regions",
            "A multi-province region such as the Greater Bay Area.",
            "greater bay area",
        ),
        Kind("city", "cities", "A city, district or county.", "jinan"),
        Kind(
            "company", "companies", "A company: launch, satellite, components, steel.", "tianbing"
        ),
        Kind(
            "organization",
            "organizations",
            "A government body, institute, alliance or publisher.",
            "ccid",
        ),
        Kind("person", "people", "A person quoted or named by a source.", "kang yonglai"),
        Kind("site", "sites", "A spaceport, base, plant, test stand or zone.", "haiyang"),
        Kind("rocket", "rockets", "A launch vehicle.", "tianlong"),
        Kind(
            "constellation",
            "constellations",
            "A satellite constellation, planned or in orbit.",
            "qianfan",
        ),
        Kind(
            "policy",
            "policies",
            "A plan, action plan, regulation, programme or government fund.",
            "action plan",
        ),
        Kind("report", "reports", "A report, article, outlook or white paper.", "ccid outlook"),
        Kind("event", "events", "A conference, forum or meeting.", "two sessions"),
    )
}


class RelationType(NamedTuple):
    name: str
    forward: str
    reverse: str


RELATIONS: dict[str, RelationType] = {
    r.name: r
    for r in (
        RelationType("located_in", "located in", "contains"),
        RelationType("part_of", "part of", "includes"),
        RelationType("member_of", "member of", "has member"),
        RelationType("partner_of", "partner of", "partner of"),
        RelationType("supports", "supports", "supported by"),
        RelationType("invests_in", "invests in", "invested in by"),
        RelationType("operates", "operates", "operated by"),
        RelationType("builds", "builds", "built by"),
        RelationType("tests_at", "tests at", "test site of"),
        RelationType("launches_from", "launches from", "launch site of"),
        RelationType("ships_to", "ships to", "receives from"),
        RelationType("published_by", "published by", "publisher of"),
        RelationType("works_for", "works for", "employs"),
        RelationType("founded", "founded", "founded by"),
        RelationType("launches", "launches", "launched by"),
        RelationType("variant_of", "variant of", "has variant"),
    )
}

STATUSES = ("actual", "target", "projection", "plan", "proposal")
DATE_KINDS = ("as_of", "during", "by", "on")
QUALIFIERS = (
    "over",
    "more than",
    "exceeding",
    "at least",
    "about",
    "roughly",
    "nearly",
    "up to",
    "under",
    "at most",
)
