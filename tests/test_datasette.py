"""The SQLite export in the real Datasette: started on 127.0.0.1 over an export of the
shipped base with its metadata, asked over HTTP for what a person would click on, stopped.

Datasette is a test-only dependency (the ``test`` extra); without it the test is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conftest import run

DATASETTE = shutil.which("datasette", path=os.path.dirname(sys.executable)) or shutil.which(
    "datasette"
)
pytestmark = pytest.mark.skipif(
    DATASETTE is None, reason="needs Datasette: pip install -e '.[test]'"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def datasette(tmp_path: Path) -> Iterator[str]:
    """The base URL of a Datasette serving ``facts.db`` with its metadata."""
    db, meta = tmp_path / "facts.db", tmp_path / "metadata.json"
    res = run("export", "-o", str(db), "--metadata", str(meta))
    assert res.exit_code == 0, res.stderr
    port = free_port()
    assert DATASETTE is not None
    server = subprocess.Popen(
        [DATASETTE, "serve", str(db), "-m", str(meta), "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "DATASETTE_SECRET": "test"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/-/versions.json", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > end:
                    err = server.stderr.read().decode() if server.stderr else ""
                    pytest.fail(f"Datasette did not start: {err[-500:]}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_datasette_serves_rows_labels_facets_and_search(datasette: str) -> None:
    companies = get(f"{datasette}/facts/entities.json?_shape=array&kind=company&_size=max")
    assert "Space Pioneer" in {row["name"] for row in companies}
    assert all(row["name_zh"] is None or row["name_zh"] for row in companies)

    pioneer = quote("company/space-pioneer", safe="")
    facts = get(f"{datasette}/facts/facts.json?_shape=array&_labels=on&entity_id={pioneer}")
    assert facts and all(
        f["entity_id"] == {"value": "company/space-pioneer", "label": "Space Pioneer"}
        for f in facts
    )

    faceted = get(f"{datasette}/facts/facts.json?_facet=status&_size=0")
    counts = {r["value"]: r["count"] for r in faceted["facet_results"]["status"]["results"]}
    assert counts["actual"] > 0 and "" not in counts
    assert faceted["license"] == "MIT" and "source documents" in faceted["source"]

    found = get(f"{datasette}/facts/entities.json?_shape=array&_search=tianbing")
    assert "company/space-pioneer" in [row["id"] for row in found]
    launch = get(f"{datasette}/facts/facts.json?_shape=array&_search=sea+launch&_size=max")
    assert launch and all("sea" in (f["text"] + f["attribute"]).lower() for f in launch)
