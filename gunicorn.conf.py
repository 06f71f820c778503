"""gunicorn settings for the API: `gunicorn -c gunicorn.conf.py 'app:create_app()'`.

The app is not preloaded: each worker builds its own engine (and any bus client) after
the fork, so no socket or connection pool is shared between processes.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
preload_app = False
accesslog = None
graceful_timeout = 20
timeout = 60
# gunicorn's largest: the API itself answers a URI over app.api.limits.MAX_URI_BYTES (414 as problem+json).
limit_request_line = 8190
control_socket_disable = True  # no shared control socket in $HOME: several instances may run side by side


def on_starting(server):
    """Refuse to start, in one sentence, before any worker boots: a worker that exits is only replaced."""
    from app.access.data_keys import require_data_keys
    from app.settings import Settings

    require_data_keys(Settings.from_env())


def post_worker_init(worker):
    """Keep the application's start-up objects out of the garbage collector's full passes: a batch of
    events allocates enough to trigger them, and each one would walk every module, schema and mapper,
    which a large POST would wait for."""
    import gc

    gc.freeze()


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the shared multiprocess metrics folder."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def worker_int(worker):
    """SIGINT or SIGQUIT (Ctrl-C reaches every process of the group) asks for a quick shutdown: leave now,
    without the interpreter's teardown, as gunicorn's SIGKILL would later. Each request is its own transaction,
    so one cut short is rolled back; a worker still booting leaves as cleanly as a serving one."""
    import os

    os._exit(0)
