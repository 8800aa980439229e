"""Shared fixtures: a ledger URL for every storage, and the real data folder.

PostgreSQL tests use ``$LEDGER_TEST_POSTGRES_URL`` (``.ci/run`` starts a local
server and sets it). Without it they skip with a reason, except under ``CI=true``,
where a missing server is a failure: CI must run them. Each test gets a schema of
its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

import ledger

# No test fails for being slow (speed is measured in benchmarks/): a loaded CI machine
# must not turn hypothesis's 200 ms deadline per example, or its check that generating
# examples is quick, into a failure.
settings.register_profile("ledger", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Breaking the engine on purpose (does a test catch it?) needs the first failure, not
# its shrinking: LEDGER_HYPOTHESIS=mutation.
settings.register_profile(
    "mutation", parent=settings.get_profile("ledger"), phases=[Phase.generate]
)
settings.load_profile(os.environ.get("LEDGER_HYPOTHESIS", "ledger"))

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def postgres_or_skip() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if IN_CI:
        pytest.fail("CI=true but LEDGER_TEST_POSTGRES_URL is not set: PostgreSQL tests must run")
    pytest.skip("no PostgreSQL: set LEDGER_TEST_POSTGRES_URL (see .ci/run)")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL ledger URL with a fresh schema of its own."""
    import psycopg

    base = postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    dsn = base.split("?", 1)[0]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{dsn}?schema={schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ledger URL for each storage: memory, a SQLite file, PostgreSQL."""
    if request.param == "memory":
        return f"memory://{uuid.uuid4().hex}"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def book(url: str) -> Iterator[ledger.Ledger]:
    """An open, empty ledger on each storage."""
    with ledger.open(url) as opened:
        yield opened


@pytest.fixture
def memory_book() -> Iterator[ledger.Ledger]:
    with ledger.open(f"memory://{uuid.uuid4().hex}") as opened:
        yield opened


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        if IN_CI:
            pytest.fail(f"CI=true but the real data folder {SHARED_DATA} is missing")
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA
