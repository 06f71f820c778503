"""The database layer: engine, sessions, models. No Flask here, so consumers reuse it."""
from app.db.base import Base, make_engine, make_session_factory

__all__ = ["Base", "make_engine", "make_session_factory"]
