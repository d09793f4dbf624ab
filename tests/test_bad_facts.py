"""Fact files that ``validate`` used to pass and that then broke every lookup: oversized
names, numbers no output can carry, deep nesting, places inside each other, looping links,
unreadable folders and folder names that are not UTF-8. ``validate`` now names each with
its file and line and exits 3, and every other command says the same, never a traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ENTITIES, cspace_proc, proc_env, run, unprivileged, write_base
from cspace_cli.errors import ExitStatus

NO_SHIPPED = {"CSPACE_NO_SHIPPED": "1"}
GOOD = 'name = "X"\nsummary = "Y."\n'
FACT = '[[facts]]\nattribute = "a"\nstatus = "actual"\nsources = ["doc-a"]\ntext = "t"\n'


def base_with(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_base(tmp_path / "f", {**ENTITIES, **files})


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def assert_refused(root: Path, rel: str, words: str, line: int | None) -> None:
    """``validate`` names the problem at its file and line; lookups, lists and exports
    exit 3 with it as their first line, and print nothing on stdout."""
    res = run("validate", str(root), "--json", env=NO_SHIPPED)
    assert res.exit_code == ExitStatus.INVALID_FACTS, res.stderr
    problems = json.loads(res.stdout)
    hits = [p for p in problems if p["path"] == str(root / rel) and words in p["message"]]
    assert hits, problems
    assert hits[0]["line"] == line
    env = {**NO_SHIPPED, "CSPACE_FACTS": str(root)}
    for args in (("company", "tianbing"), ("company", "tianbing", "--json"), ("list",)):
        lookup = run(*args, env=env)
        assert lookup.exit_code == ExitStatus.INVALID_FACTS, (args, lookup.stderr)
        assert lookup.stdout == ""
        assert words in lookup.stderr.splitlines()[0]


# --- case 5: a small file must not cost unbounded index space and time --------------


def test_a_huge_alias_is_refused_before_it_reaches_the_index(tmp_path: Path) -> None:
    """A 120 KB file with a 60,000-word alias once took 64 s, 1.8 GB and an 11 GB cache."""
    alias = " ".join(f"w{i % 10}" for i in range(60_000))
    root = base_with(tmp_path, {"company/big.toml": GOOD + f'aliases = ["{alias}"]\n'})
    assert (root / "company" / "big.toml").stat().st_size > 120_000
    assert_refused(root, "company/big.toml", "aliases[0]: is 179,999 characters long", 3)
    assert not list((tmp_path / "cache").glob("index-*")), "an invalid base is never cached"


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("name", '"' + "n" * 301 + '"', "name: is 301 characters long; a name is limited to 300"),
        ("pinyin", '"' + "a " * 41 + '"', "pinyin: has 41 words; a name is limited to 40"),
        ("aliases", str([f"alias {i}" for i in range(51)]), "aliases: has 51 entries"),
    ],
)
def test_names_past_the_caps_are_refused(
    tmp_path: Path, field: str, value: str, words: str
) -> None:
    body = f'{field} = {value}\nsummary = "Y."\n' + ("" if field == "name" else 'name = "X"\n')
    root = base_with(tmp_path, {"company/long.toml": body})
    assert_refused(root, "company/long.toml", words, 1)


def test_the_index_grows_linearly_with_the_fact_files(tmp_path: Path) -> None:
    """The costliest entities the caps allow (every name at its length and word limits)
    still cost the index a bounded multiple of their bytes, and twice the entities cost
    twice the space."""
    word = "abcdefg"  # 40 words of 7 letters: 319 characters with the spaces, cut to 300

    def costly(n: int) -> str:
        name = " ".join([word] * 40)[:300]
        aliases = ", ".join(f'"{name[:-3]}{i:03d}"' for i in range(50))
        return f'name = "{name[:-4]}{n:04d}"\nsummary = "Y."\naliases = [{aliases}]\n'

    sizes = []
    for count in (20, 40):
        root = write_base(
            tmp_path / f"f{count}", {f"company/c{n}.toml": costly(n) for n in range(count)}
        )
        env = {
            **NO_SHIPPED,
            "CSPACE_FACTS": str(root),
            "CSPACE_CACHE_DIR": str(tmp_path / f"c{count}"),
        }
        res = run("list", "--json", env=env)
        assert res.exit_code == 0, res.stderr
        fact_bytes = sum(p.stat().st_size for p in root.rglob("*.toml"))
        [cache] = (tmp_path / f"c{count}").glob("index-*.sqlite")
        sizes.append(cache.stat().st_size)
        assert cache.stat().st_size < 100 * fact_bytes, (cache.stat().st_size, fact_bytes)
    assert sizes[1] < 2.2 * sizes[0]


# --- case 8: numbers no output can carry -------------------------------------------------


# case -> (the fact's numbers, what validate says, the line it points at)
NUMBERS = {
    "nan": ("value = nan", "facts[0].value: nan is not a finite number", "nan"),
    "inf": ("value = inf", "facts[0].value: inf is not a finite number", "inf"),
    "-inf": ("value = -inf", "facts[0].value: -inf is not a finite number", "inf"),
    "1e309": ("value = 1e309", "facts[0].value: inf is not a finite number", "1e309"),
    "20 digits": (
        "value = 99999999999999999999",
        "facts[0].value: an integer of 20 digits is out of range",
        "value",
    ),
    "below int64": (
        "low = -9223372036854775809\nhigh = 0",
        "facts[0].low: an integer of 19 digits is out of range",
        "low",
    ),
    "nan range end": ("low = 1\nhigh = nan", "facts[0].high: nan is not a finite number", "high"),
    "converted": (
        'value = 1\nconverted = { unit = "USD", value = inf }',
        "facts[0].converted.value: inf is not a finite number",
        "converted",
    ),
    "5,000 digits": (
        "value = " + "9" * 5000,
        "invalid TOML: a number has too many digits",
        "value",
    ),
}


@pytest.mark.parametrize("case", NUMBERS, ids=list(NUMBERS))
def test_numbers_no_output_can_carry_are_refused(tmp_path: Path, case: str) -> None:
    numbers, words, needle = NUMBERS[case]
    root = base_with(tmp_path, {"company/num.toml": GOOD + FACT + numbers + "\n"})
    assert_refused(root, "company/num.toml", words, line_of(root, "company/num.toml", needle))


def test_numbers_at_the_limits_still_load(tmp_path: Path) -> None:
    limits = "low = -9223372036854775808\nhigh = 9223372036854775807"
    root = base_with(tmp_path, {"company/edge.toml": GOOD + FACT + limits + "\n"})
    res = run("show", "company/edge", "--json", env={**NO_SHIPPED, "CSPACE_FACTS": str(root)})
    assert res.exit_code == 0, res.stderr
    fact = json.loads(res.stdout)["facts"][0]
    assert (fact["low"], fact["high"]) == (-(2**63), 2**63 - 1)


# --- case 9: nesting deeper than the parser goes ------------------------------------------


NESTING = {
    "arrays": "aliases = " + "[" * 1000 + "]" * 1000,
    "inline tables": "extra = " + "{ a = " * 1000 + "1" + " }" * 1000,
    "arrays in a string-laden line": 'aliases = ["[{", ' + "[" * 1000 + "]" * 1000 + "]",
}


@pytest.mark.parametrize("case", NESTING, ids=list(NESTING))
def test_deep_nesting_is_a_located_problem(tmp_path: Path, case: str) -> None:
    root = base_with(tmp_path, {"company/deep.toml": GOOD + NESTING[case] + "\n"})
    assert_refused(root, "company/deep.toml", "nested too deeply", 3)


def test_deeply_dotted_keys_are_an_unknown_field(tmp_path: Path) -> None:
    root = base_with(tmp_path, {"company/dots.toml": GOOD + ".".join(["a"] * 1000) + " = 1\n"})
    assert_refused(root, "company/dots.toml", "a: unknown field", 3)


# --- case 10: places inside each other, and links that loop ------------------------------

PLACE = 'name = "{name}"\nsummary = "s"\nlocated_in = "{place}"\n'
IN_BY_RELATION = (
    'name = "{name}"\nsummary = "s"\n\n[[relations]]\nrelation = "located_in"\n'
    'object = "{place}"\nsources = ["doc-a"]\n'
)


def test_a_place_inside_itself_is_refused(tmp_path: Path) -> None:
    root = base_with(tmp_path, {"city/a.toml": PLACE.format(name="A", place="city/a")})
    assert_refused(root, "city/a.toml", "located_in: 'city/a' is this entity itself", 3)


@pytest.mark.parametrize(
    "files, rel, key, chain",
    [
        (
            {
                "city/a.toml": PLACE.format(name="A", place="city/b"),
                "city/b.toml": PLACE.format(name="B", place="city/a"),
            },
            "city/a.toml",
            "located_in",
            "city/a → city/b → city/a",
        ),
        (
            {
                "city/c.toml": PLACE.format(name="C", place="city/d"),
                "city/d.toml": IN_BY_RELATION.format(name="D", place="city/e"),
                "city/e.toml": PLACE.format(name="E", place="city/c"),
            },
            "city/c.toml",
            "located_in",
            "city/c → city/d → city/e → city/c",
        ),
        (
            {
                "city/p.toml": PLACE.format(name="P", place="city/q"),
                "city/q.toml": IN_BY_RELATION.format(name="Q", place="city/p"),
                "site/s.toml": PLACE.format(name="S", place="city/p"),
            },
            "city/p.toml",
            "located_in",
            "city/p → city/q → city/p",
        ),
    ],
    ids=["two", "three, one by a relation", "reached from outside"],
)
def test_places_inside_each_other_are_refused(
    tmp_path: Path, files: dict[str, str], rel: str, key: str, chain: str
) -> None:
    root = base_with(tmp_path, files)
    words = f"{key}: places are inside each other in a loop: {chain}"
    assert_refused(root, rel, words, line_of(root, rel, key))
    res = run("validate", str(root), "--json", env=NO_SHIPPED)
    assert sum("in a loop" in p["message"] for p in json.loads(res.stdout)) == 1


def test_a_loop_made_by_an_edit_is_refused_by_the_cache_too(tmp_path: Path) -> None:
    """The in-place update checks what the changed files point to, as a full load does."""
    root = base_with(tmp_path, {"city/a.toml": PLACE.format(name="A", place="province/shandong")})
    env = {**NO_SHIPPED, "CSPACE_FACTS": str(root)}
    assert run("city", "a", env=env).exit_code == 0
    (root / "province" / "shandong.toml").write_text(
        PLACE.format(name="Shandong", place="city/a"), encoding="utf-8"
    )
    cached, fresh = run("city", "a", env=env), run("--no-cache", "city", "a", env=env)
    assert cached.exit_code == fresh.exit_code == ExitStatus.INVALID_FACTS
    assert "in a loop: city/a → province/shandong → city/a" in cached.stderr
    assert cached.stderr == fresh.stderr


def looping_kind_folder(root: Path) -> None:
    (root / "rocket").symlink_to("rocket")


def looping_sources(root: Path) -> None:
    (root / "sources.toml").unlink()
    (root / "sources.toml").symlink_to("sources.toml")


@pytest.mark.parametrize(
    "make, rel, words",
    [
        (looping_kind_folder, "rocket", "cannot read folder: Too many levels of symbolic links"),
        (looping_sources, "sources.toml", "cannot read file: Too many levels of symbolic links"),
    ],
    ids=["kind folder", "sources.toml"],
)
def test_a_link_to_itself_is_reported_not_skipped(
    tmp_path: Path, make: Callable[[Path], None], rel: str, words: str
) -> None:
    root = base_with(tmp_path, {})
    make(root)
    assert_refused(root, rel, words, None)


def test_a_looping_fact_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    by_option = run("--facts", str(tmp_path / "loop"), "list")
    assert by_option.exit_code == ExitStatus.USAGE
    assert "--facts" in by_option.stderr and "loop" in by_option.stderr
    by_env = run("list", env={"CSPACE_FACTS": str(tmp_path / "loop")})
    assert by_env.exit_code == ExitStatus.INVALID_FACTS
    assert "fact folder does not exist or is not a folder" in by_env.stderr
    checked = run("validate", str(tmp_path / "loop"))
    assert checked.exit_code == ExitStatus.INVALID_FACTS


# --- case 11: unreadable folders and names that are not UTF-8 --------------------------


@pytest.mark.parametrize("mode", [0o000, 0o644], ids=["000", "644 (not searchable)"])
def test_an_unreadable_fact_folder_is_exit_3(tmp_path: Path, mode: int) -> None:
    prefix = unprivileged()
    root = write_base(tmp_path / "f")
    tmp_path.chmod(0o755)
    root.chmod(mode)
    try:
        env = proc_env(**NO_SHIPPED)
        for args in (
            ["--facts", str(root), "list"],
            ["validate", str(root)],
            ["company", "tianbing"],
        ):
            use = {**env, "CSPACE_FACTS": str(root)} if args[0] == "company" else env
            res = cspace_proc(*args, env=use, prefix=prefix)
            assert res.returncode == ExitStatus.INVALID_FACTS, (args, res.stderr)
            assert b"cannot read folder: Permission denied" in res.stderr + res.stdout
            assert b"Traceback" not in res.stderr
    finally:
        root.chmod(0o755)


def test_a_folder_name_that_is_not_utf8_works(tmp_path: Path) -> None:
    root = write_base(tmp_path / "caf\udce9")
    assert os.fsencode(root).endswith(b"caf\xe9")
    env = {**NO_SHIPPED, "CSPACE_FACTS": str(root)}
    checked = run("validate", str(root), env=NO_SHIPPED)
    assert checked.exit_code == 0, checked.stderr
    for args in (("company", "tianbing", "--json"), ("list",), ("export", "-f", "jsonl")):
        cached, fresh = run(*args, env=env), run("--no-cache", *args, env=env)
        assert cached.exit_code == 0, cached.stderr
        assert (cached.stdout, cached.stderr) == (fresh.stdout, fresh.stderr)
    path = root / "company" / "space-pioneer.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Space Pioneer", "Space Pioneer II"))
    res = run("company", "tianbing", "--json", env=env)
    assert json.loads(res.stdout)["name"] == "Space Pioneer II"
