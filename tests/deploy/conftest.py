"""The compose file as text and as loaded, its schema, and the settings names the project reads."""
from __future__ import annotations

import jsonschema
import pytest
from check_jsonschema.builtin_schemas import get_builtin_schema
from support.compose import COMPOSE_FILE, environment_names_read, load_compose


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


@pytest.fixture(scope="module")
def compose(compose_text) -> dict:
    return load_compose(compose_text)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = get_builtin_schema("vendor.compose-spec")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def names_read() -> set[str]:
    return set().union(*environment_names_read().values())
