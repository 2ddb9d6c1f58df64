# syntax=docker/dockerfile:1
# Build stage: turn the project into a wheel (and its dependencies into wheels) once.
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir build==1.2.2.post1
COPY pyproject.toml README.md ./
COPY api ./api
COPY bot ./bot
COPY db ./db
COPY sandbox ./sandbox
RUN python -m build --wheel --outdir /wheels \
    && pip wheel --no-cache-dir --wheel-dir /wheels /wheels/*.whl

# Runtime stage: only the installed wheels, a non-root user and a data volume.
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CALLBOT_DATA_DIR=/data
RUN groupadd --system --gid 10001 callbot \
    && useradd --system --uid 10001 --gid callbot --home-dir /data --shell /usr/sbin/nologin callbot \
    && mkdir -p /data && chown callbot:callbot /data
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-index --find-links=/tmp/wheels /tmp/wheels/uis_callbot-*.whl \
    && rm -rf /tmp/wheels
USER 10001:10001
WORKDIR /data
# The embedded SQLite database, its generated encryption key, the audit journal and the
# heartbeat live here: mount a volume so they survive the container.
VOLUME ["/data"]
EXPOSE 8080
# Works in polling mode too: the bot touches a heartbeat file that `callbot health` checks.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["callbot", "health"]
# Migrations are a separate step: docker run --rm IMAGE callbot migrate
CMD ["callbot", "run"]
