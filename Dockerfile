# Jalur Aman: one stateless bot process per container; PostgreSQL holds all state.
# Build: docker build -t jalur-aman .      (see README, "Deploying")
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    JALUR_AMAN_LOG_FORMAT=json \
    JALUR_AMAN_CACHE_DIR=/app/var/cache \
    JALUR_AMAN_CONTENT_DIR=/app/content \
    JALUR_AMAN_INTENTS_DIR=/app/intents

WORKDIR /app
RUN groupadd --system --gid 10001 jalur \
 && useradd --system --uid 10001 --gid jalur --home-dir /app --shell /usr/sbin/nologin jalur

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY content ./content
COPY intents ./intents
RUN pip install . \
 && mkdir -p /app/var/cache \
 && chown -R jalur:jalur /app/var

USER jalur
# Train the NLU model once at build time (cached by a hash of intents/).
RUN python -c "from bot.composition import load_nlu; from bot.settings import Settings; load_nlu(Settings())"

EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2); sys.exit(0)" || exit 1
STOPSIGNAL SIGTERM
CMD ["jalur-aman", "serve", "--host", "0.0.0.0", "--port", "8080", "--shutdown-timeout", "20"]
