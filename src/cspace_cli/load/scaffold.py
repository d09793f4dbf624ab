"""``cspace init DIR``: a small, commented fact folder that validates, to copy and edit.

The example ids are chosen not to collide with the shipped base, and the folder must be
new or empty: init never overwrites anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cspace_cli.errors import UsageError
from cspace_cli.load.walk import fact_folder_holding

SOURCES = """\
# Source documents. Every fact and relation cites one of these ids; add one [[sources]]
# record per document before citing it. Fields: id and title are required; publisher,
# byline, url, language and note are text; date (when published) and as_of (when its
# content holds) are YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1/H2 or YYYY-Q1..Q4, or "".

[[sources]]
id = "example-notes"                 # lowercase letters, digits and '-'
title = "Example notes (replace with the document's printed title)"
publisher = ""
byline = ""
date = "2026-01"
as_of = "2026-01"
url = "https://example.org/notes"   # a web page; a local document names its file instead
language = "en"
note = "A made-up source that shows the format; delete it once you cite real ones."
"""

ENTITY = """\
# One entity per file: <kind>/<slug>.toml. This file's id is company/example-rocket-works.
# Kinds (folder names): country, province, region, city, company, organization, person,
# site, rocket, policy. A file with the id of a shipped record replaces that record.
# Check the folder with: cspace validate <this folder>

name = "Example Rocket Works"        # required: the English name
aliases = ["ERW"]                    # other names people type; name_zh and pinyin also exist
summary = "A made-up launch company that shows the fact file format."   # required
sources = ["example-notes"]          # sources that name this entity
# located_in = "province/shandong"   # the id of the place that contains it, if any

[[facts]]
attribute = "planned launches"       # the same label on one entity means the same claim
value = 3                            # a number or short text; a range is low = .., high = ..
qualifier = "up to"                  # over, more than, about, nearly, up to, at least, ...
unit = "launches"
status = "plan"                      # actual, target, projection or plan
date = "2027"                        # same forms as a source date
date_kind = "by"                     # as_of (the default), during, by or on
sources = ["example-notes"]          # required: one or more ids from sources.toml
text = "The example company plans up to three launches by 2027."   # required, own words

# Relations point at other entities by id, from this folder or the shipped base:
# [[relations]]
# relation = "launches_from"         # located_in, part_of, operates, builds, ...
# object = "site/oriental-aerospace-port"
# sources = ["example-notes"]
"""

FILES = {"sources.toml": SOURCES, "company/example-rocket-works.toml": ENTITY}


def init_folder(root: Path, fact_folders: Sequence[Path] = ()) -> list[Path]:
    """Write the example folder and return the files written; never inside another fact
    folder, where it would be an unknown kind folder that breaks every lookup."""
    inside = fact_folder_holding(root, fact_folders)
    if inside is not None:
        raise UsageError(
            f"'{root}' is inside the fact folder '{inside}'; start a new fact folder outside it"
        )
    if root.exists() and not root.is_dir():
        raise UsageError(f"'{root}' exists and is not a folder")
    if root.is_dir() and any(root.iterdir()):
        raise UsageError(
            f"'{root}' is not empty; cspace init only writes into a new or empty folder"
        )
    written = []
    try:
        for rel, text in FILES.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as f:
                f.write(text)
            written.append(path)
    except OSError as exc:
        raise UsageError(f"cannot write '{exc.filename or root}': {exc.strerror or exc}") from None
    return written
