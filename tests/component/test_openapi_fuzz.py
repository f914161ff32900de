"""Property-based run of every OpenAPI operation in-process (ASGI) with a valid token: no 5xx, ever."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from hub.api.app import create_api
from hub.api.auth import create_token
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import token_keys
from tests.builders.store_changes import sample_changes

pytestmark = pytest.mark.component

SECRET = "fuzz-secret"


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app's own OpenAPI schema bound to the ASGI app over a store with sample data."""
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    store = HubStore.open(f"sqlite:///{(tmp / 'fuzz.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(sample_changes())
    app = create_api(Settings(data_dir=tmp / "data", token_secret=SECRET), store)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    store.close()


TOKEN = create_token(token_keys(SECRET), role="ADMIN", user="fuzzer", ttl_hours=24 * 365)
OPERATIONS = 13  # GET/POST operations in the spec; a new endpoint must be fuzzed too (asserted below)


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> Any:
    """A Hypothesis test calling one operation with generated cases."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (operation.label, case.path_parameters, case.query, case.body)

    return check


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(api_schema: Any, mode: GenerationMode) -> None:
    """Generated requests to every operation, valid or schema-violating, never get a 5xx."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= OPERATIONS
    headers = {"Authorization": f"Bearer {TOKEN}"}
    exercised = 0
    for operation in operations:
        check = _fuzz(operation, mode, headers)

        try:
            check()
        except Unsatisfiable:
            # No parameters to violate (e.g. GET /healthz): nothing negative exists for it.
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        exercised += 1
    assert exercised >= OPERATIONS // 2
