# syntax=docker/dockerfile:1
# Stablework's one image: the API (the default command, gunicorn), the wage consumer
# (`python -m consumers`), the outbox relay (`python -m consumers relay`) and the one-shot
# migration (`flask --app app migrate`). docker-compose.yml runs them as separate services.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/stablework

# The runtime dependencies of pyproject.toml ([project].dependencies: no test extra), in their
# own layer so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code, then the project itself from pyproject.toml. Installed in place (as bin/bootstrap
# does): app/settings.py finds alembic.ini and migrations/ next to its own source tree.
COPY alembic.ini gunicorn.conf.py ./
COPY migrations/ migrations/
COPY payroll/ payroll/
COPY labour/ labour/
COPY matching/ matching/
COPY fraud/ fraud/
COPY events/ events/
COPY app/ app/
COPY consumers/ consumers/
RUN pip install --no-deps --editable . \
    && python -m compileall -q app consumers events payroll labour matching fraud migrations

# Never root at run time; the code stays read-only (owned by root) for that user.
# PROMETHEUS_MULTIPROC_DIR: gunicorn's workers (and the consumers) write their metrics there;
# docker-compose.yml mounts a fresh tmpfs on it so that no stale files survive a restart.
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin stablework \
    && mkdir -p /tmp/prometheus-multiproc \
    && chown stablework:stablework /tmp/prometheus-multiproc
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-multiproc \
    HOST=0.0.0.0 \
    PORT=8000
USER stablework

# 8000: the API; 9100: /metrics of a consumer or the relay (METRICS_PORT).
EXPOSE 8000 9100

CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"]
