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
control_socket_disable = True  # no shared control socket in $HOME: several instances may run side by side


def post_worker_init(worker):
    """Keep the application's start-up objects out of the garbage collector's passes, and its passes out of
    requests: a 1,000-event POST allocates enough to trigger several (app.runtime.tune_garbage_collector)."""
    from app.runtime import tune_garbage_collector

    tune_garbage_collector()


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the shared multiprocess metrics folder."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
