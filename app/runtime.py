"""The one wiring place: settings -> data key ring, engine, sessions, readers and bus, built once per process."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from app.access.data_keys import open_keyring
from app.db import make_engine, make_read_engine, make_read_session_factory, make_session_factory
from app.db.audit import install_audit
from app.db.crypto import install_keyring
from app.settings import Settings
from events.bus import Bus, open_bus


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker  # units of work: one transaction each, audited
    read_engine: Engine  # requests that only read, by Core statements (make_read_engine)
    readers: sessionmaker  # requests that only read, with ORM objects (make_read_session_factory)
    bus: Bus

    def close(self) -> None:
        self.bus.close()
        self.engine.dispose()


def build_runtime(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings.from_env()
    install_keyring(open_keyring(settings))  # first: without a key for its database, a process does not start
    engine = make_engine(settings.database_url)
    bus = open_bus(settings.bus, engine=engine, kafka_bootstrap_servers=settings.kafka_bootstrap_servers,
                   kafka_session_timeout_ms=settings.kafka_session_timeout_ms,
                   kafka_replication_factor=settings.kafka_replication_factor,
                   kafka_min_insync_replicas=settings.kafka_min_insync_replicas)
    sessions = make_session_factory(engine)
    install_audit(sessions)  # every unit of work writes the audit log with its writes
    read_engine = make_read_engine(engine)
    return Runtime(settings, engine, sessions, read_engine, make_read_session_factory(read_engine), bus)
