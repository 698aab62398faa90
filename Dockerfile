# newswatch: the daemon on SQLite, data in /data.
# The install step is the README's set-up command (tests/test_docs.py keeps them identical).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSWATCH_DATABASE_URL=sqlite:////data/newswatch.db

RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin newswatch \
    && mkdir /data && chown newswatch:newswatch /data

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY scraper ./scraper
COPY storage ./storage
COPY scheduler ./scheduler
COPY newswatch ./newswatch
RUN python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt .

ENV PATH=/app/.venv/bin:$PATH
USER 10001:10001
VOLUME ["/data"]
HEALTHCHECK --interval=1m --timeout=10s --start-period=2m --retries=3 \
    CMD ["newswatch", "health", "--max-age", "30m"]
CMD ["newswatch", "run"]
