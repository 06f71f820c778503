"""PostgreSQL on loopback: a throwaway local cluster (or the server ``DATABASE_URL`` names).

``install``  where the server programs are (Debian's package installed if need be), and URL forms.
``local``    a local cluster's files and postmaster.
``server``   ``PostgresServer``: start, stop, restart, create and drop databases.
"""

from infra.postgres.install import PostgresError, find_pg_bindir, libpq_url, sqlalchemy_url
from infra.postgres.server import PostgresServer

__all__ = ["PostgresServer", "PostgresError", "find_pg_bindir", "libpq_url", "sqlalchemy_url"]
