"""The database layer: engine, sessions, models. No Flask here, so consumers reuse it."""
from app.db.base import (
    Reader,
    ReadOnlySession,
    make_engine,
    make_read_engine,
    make_read_session_factory,
    make_session_factory,
)
from app.db.declarative import Base

__all__ = ["Base", "Reader", "ReadOnlySession", "make_engine", "make_read_engine", "make_read_session_factory",
           "make_session_factory"]
