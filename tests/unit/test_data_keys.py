"""The data key ring: encrypt with the newest key, decrypt with any; lookup hashes; where the keys come from."""
from __future__ import annotations

import stat

import pytest
from support.data_keys import NEXT_DATA_KEY, TEST_DATA_KEY

from app.access.data_keys import MissingDataKey, open_keyring
from app.db.crypto import DataKeyError, KeyRing
from app.runtime import build_runtime
from app.settings import Settings

NATIONAL_ID = "36070220000129002X"


def test_a_value_encrypts_differently_each_time_and_decrypts_back():
    ring = KeyRing.from_keys([TEST_DATA_KEY])

    first, second = ring.encrypt(NATIONAL_ID), ring.encrypt(NATIONAL_ID)

    assert first != second and NATIONAL_ID not in first
    assert ring.decrypt(first) == ring.decrypt(second) == NATIONAL_ID


def test_the_newest_key_encrypts_and_every_key_decrypts():
    old, both = KeyRing.from_keys([TEST_DATA_KEY]), KeyRing.from_keys([NEXT_DATA_KEY, TEST_DATA_KEY])
    new = KeyRing.from_keys([NEXT_DATA_KEY])

    assert both.decrypt(old.encrypt(NATIONAL_ID)) == NATIONAL_ID
    assert new.decrypt(both.encrypt(NATIONAL_ID)) == NATIONAL_ID
    assert new.decrypt(both.rotate(old.encrypt(NATIONAL_ID))) == NATIONAL_ID
    with pytest.raises(DataKeyError, match="cannot be decrypted with any data key"):
        new.decrypt(old.encrypt(NATIONAL_ID))


def test_a_lookup_hash_is_keyed_and_found_under_any_key_of_the_ring():
    old, both = KeyRing.from_keys([TEST_DATA_KEY]), KeyRing.from_keys([NEXT_DATA_KEY, TEST_DATA_KEY])

    assert old.lookup_hash(NATIONAL_ID) == old.lookup_hash(NATIONAL_ID.lower()) != both.lookup_hash(NATIONAL_ID)
    assert both.lookup_hashes(NATIONAL_ID) == [both.lookup_hash(NATIONAL_ID), old.lookup_hash(NATIONAL_ID)]
    assert len(old.lookup_hash(NATIONAL_ID)) == 64 and NATIONAL_ID not in old.lookup_hash(NATIONAL_ID)


def test_a_separate_lookup_key_does_not_change_with_the_data_keys():
    old = KeyRing.from_keys([TEST_DATA_KEY], lookup_key="a lookup key of its own")
    new = KeyRing.from_keys([NEXT_DATA_KEY, TEST_DATA_KEY], lookup_key="a lookup key of its own")

    assert old.lookup_hashes(NATIONAL_ID) == new.lookup_hashes(NATIONAL_ID) == [new.lookup_hash(NATIONAL_ID)]


def test_a_malformed_key_is_refused_without_being_shown():
    with pytest.raises(DataKeyError, match="data key 2 is not a Fernet key") as refused:
        KeyRing.from_keys([TEST_DATA_KEY, "not-a-key-but-secret"])
    assert "not-a-key-but-secret" not in str(refused.value)


def test_keys_come_from_the_environment_newest_first_and_stay_out_of_repr():
    settings = Settings.from_env({"STABLEWORK_DATA_KEYS": f" {NEXT_DATA_KEY}, {TEST_DATA_KEY} ",
                                  "DATABASE_URL": "postgresql+psycopg://app@db/stablework"})
    ring = open_keyring(settings)

    assert KeyRing.from_keys([NEXT_DATA_KEY]).decrypt(ring.encrypt(NATIONAL_ID)) == NATIONAL_ID
    assert NEXT_DATA_KEY not in repr(settings) and TEST_DATA_KEY not in repr(settings)


def test_postgresql_without_a_key_refuses_to_start_with_a_clear_error():
    settings = Settings(database_url="postgresql+psycopg://app@127.0.0.1:9/stablework")

    with pytest.raises(MissingDataKey, match="STABLEWORK_DATA_KEYS is not set: refusing to start on postgresql"):
        build_runtime(settings)


def test_sqlite_without_a_key_generates_one_once_beside_the_database(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'first-run.db'}")

    first = open_keyring(settings)
    key_file = tmp_path / "data.key"
    second = open_keyring(settings)

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert second.decrypt(first.encrypt(NATIONAL_ID)) == NATIONAL_ID
    assert KeyRing.from_keys([key_file.read_text().strip()]).decrypt(first.encrypt(NATIONAL_ID)) == NATIONAL_ID
    assert [path.name for path in tmp_path.iterdir()] == ["data.key"]  # nothing staged is left behind
