"""The index cache is transparent: after any sequence of changes to the fact folders, a
run that uses the cache answers byte for byte as one that loads every file afresh.

A hypothesis state machine adds, edits, removes and renames entity files, overrides an
id in a later folder and removes the override, edits ``sources.toml``, leaves the later
folder out and brings it back, and names the folders by relative or absolute paths. After
every step, lookups, ``list``, ``sources``, ``search``, ``facts``, ``timeline`` and
``export --format jsonl`` must print the same
stdout and stderr, with the same exit code, as ``--no-cache``; this covers in-place
updates, rebuilds, and invalid states (a dangling reference, an unknown source) alike.

In CI it runs 12 sequences of 12 steps (about 30 s); ``CSPACE_DIFFERENTIAL_EXAMPLES``
and ``CSPACE_DIFFERENTIAL_STEPS`` run more for a longer search. Every write moves the
file's mtime on. The one change no cache that checks stamps can see is a rewrite of the
same size with the old mtime put back: the README documents it, and this test does not
make it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from conftest import run

KINDS = ("city", "company", "province")
SLUGS = ("alpha", "beta", "gamma", "delta")
IDS = tuple(f"{kind}/{slug}" for kind in KINDS for slug in SLUGS)
NAMES = ("Alpha", "Alpha", "Beta Works", "Gamma Rockets", "Alp", "Delta", "Beta")
COMMANDS = (
    ("list",),
    ("export", "-f", "jsonl"),
    ("sources", "--json"),
    ("company", "alp"),
    ("city", "beta", "--json"),
    ("province", "gamma rockets"),
    ("search", "fact", "--json"),
    ("search", "alp"),
    ("facts", "--json"),
    ("timeline", "--json"),
    ("sources", "doc-a", "--json"),
    ("facts", "--json", "--sort", "value"),
)
SOURCES = (
    '[[sources]]\nid = "doc-a"\ntitle = "Doc A"\nurl = "https://example.org/a"\n\n'
    '[[sources]]\nid = "doc-b"\ntitle = "{title}"\nurl = "https://example.org/b"\n'
)


@st.composite
def entity_files(draw: st.DrawFn) -> str:
    """An entity file; its references may dangle and its sources may be unknown, as a
    person's edits can leave them."""
    lines = [f'name = "{draw(st.sampled_from(NAMES))}"', 'summary = "Some place or firm."']
    if draw(st.booleans()):
        lines.append(f'located_in = "{draw(st.sampled_from(IDS))}"')
    for n in range(draw(st.integers(0, 2))):
        source = draw(st.sampled_from(["doc-a", "doc-b", "doc-c"]))
        lines += [
            "[[facts]]",
            f'attribute = "{draw(st.sampled_from(["staff", "launches"]))}"',
            f"value = {draw(st.integers(1, 3))}",
            'status = "actual"',
            f'date = "{draw(st.sampled_from(["2024", "2025-06", "2023"]))}"',
            f'sources = ["{source}"]',
            f'text = "Fact {n}."',
        ]
    for _ in range(draw(st.integers(0, 2))):
        lines += [
            "[[relations]]",
            f'relation = "{draw(st.sampled_from(["partner_of", "supports", "located_in"]))}"',
            f'object = "{draw(st.sampled_from(IDS))}"',
            'sources = ["doc-a"]',
        ]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def working_folder(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


class CacheAgainstFreshLoad(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="cspace-differential-"))
        self.folders = (self.root / "first", self.root / "later")
        self.clock = 1_700_000_000 * 10**9
        for folder in self.folders:
            folder.mkdir()
            self.write(folder / "sources.toml", SOURCES.format(title="Doc B"))
        self.absolute = False
        self.with_later = True

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def write(self, path: Path, text: str) -> None:
        """Write and move the mtime on, as a clock would between two edits."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.clock += 10**9
        os.utime(path, ns=(self.clock, self.clock))

    def files(self, folder: Path) -> list[Path]:
        return sorted(folder.glob("*/*.toml"))

    @rule(
        later=st.booleans(),
        kind=st.sampled_from(KINDS),
        slug=st.sampled_from(SLUGS),
        text=entity_files(),
    )
    def write_entity(self, later: bool, kind: str, slug: str, text: str) -> None:
        """Add a file, edit one, or (in the later folder) override an earlier one."""
        self.write(self.folders[later] / kind / f"{slug}.toml", text)

    @precondition(lambda self: any(self.files(f) for f in self.folders))
    @rule(data=st.data())
    def remove_entity(self, data: st.DataObject) -> None:
        files = [p for f in self.folders for p in self.files(f)]
        data.draw(st.sampled_from(files)).unlink()

    @precondition(lambda self: any(self.files(f) for f in self.folders))
    @rule(data=st.data(), slug=st.sampled_from(SLUGS))
    def rename_entity(self, data: st.DataObject, slug: str) -> None:
        path = data.draw(st.sampled_from([p for f in self.folders for p in self.files(f)]))
        path.rename(path.with_name(f"{slug}.toml"))

    @precondition(
        lambda self: any(
            (self.folders[0] / p.relative_to(self.folders[1])).exists()
            for p in self.files(self.folders[1])
        )
    )
    @rule(data=st.data())
    def remove_override(self, data: st.DataObject) -> None:
        overrides = [
            p
            for p in self.files(self.folders[1])
            if (self.folders[0] / p.relative_to(self.folders[1])).exists()
        ]
        data.draw(st.sampled_from(overrides)).unlink()

    @rule(later=st.booleans(), title=st.sampled_from(["Doc B", "Doc B, revised", "B"]))
    def edit_sources(self, later: bool, title: str) -> None:
        self.write(self.folders[later] / "sources.toml", SOURCES.format(title=title))

    @rule()
    def switch_paths(self) -> None:
        self.absolute = not self.absolute

    @rule()
    def toggle_later_folder(self) -> None:
        self.with_later = not self.with_later

    @invariant()
    def cache_answers_as_a_fresh_load(self) -> None:
        folders = self.folders if self.with_later else self.folders[:1]
        names = [str(f) if self.absolute else f.name for f in folders]
        facts = [arg for name in names for arg in ("--facts", name)]
        env = {"CSPACE_NO_SHIPPED": "1", "CSPACE_CACHE_DIR": str(self.root / "cache")}
        with working_folder(self.root):
            for command in COMMANDS:
                cached = run(*facts, *command, env=env)
                fresh = run("--no-cache", *facts, *command, env=env)
                assert (cached.exit_code, cached.stdout, cached.stderr) == (
                    fresh.exit_code,
                    fresh.stdout,
                    fresh.stderr,
                ), command


CacheAgainstFreshLoad.TestCase.settings = settings(
    max_examples=int(os.environ.get("CSPACE_DIFFERENTIAL_EXAMPLES", "12")),
    stateful_step_count=int(os.environ.get("CSPACE_DIFFERENTIAL_STEPS", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_cache_answers_as_a_fresh_load = CacheAgainstFreshLoad.TestCase
