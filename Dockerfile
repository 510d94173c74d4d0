# Jalur Aman: one stateless bot process per container; PostgreSQL holds all state.
# Python packages are wheels built on the host and installed offline here (BuildKit):
#   pip wheel -w build/wheels/deps . && mkdir -p build/wheels/app \
#     && mv build/wheels/deps/jalur_aman-*.whl build/wheels/app/
#   DOCKER_BUILDKIT=1 docker build --network host -t jalur-aman .  [--build-arg BASE=IMAGE]
# scripts/containers.sh does both, and makes a local base when no registry can be reached.
# Few layers on purpose: with the vfs storage driver every step copies the whole image.
ARG BASE=debian:bookworm-slim
FROM ${BASE}

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    JALUR_AMAN_LOG_FORMAT=json \
    JALUR_AMAN_CACHE_DIR=/app/var/cache \
    JALUR_AMAN_CONTENT_DIR=/app/content \
    JALUR_AMAN_INTENTS_DIR=/app/intents \
    JALUR_AMAN_MEDIA_DIR=/app/var/media
WORKDIR /app

# Tesseract with Indonesian reads pictures of job adverts (bot/core/adverts/ocr.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip-whl ca-certificates \
      tesseract-ocr tesseract-ocr-ind \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && groupadd --system --gid 10001 jalur \
 && useradd --system --uid 10001 --gid jalur --home-dir /app --shell /usr/sbin/nologin jalur

# Dependencies in their own layer (cached while only the application changes); their test
# suites are left out.
RUN --mount=type=bind,source=build/wheels/deps,target=/wheels \
    python3 -m venv --without-pip /opt/venv \
 && /opt/venv/bin/python "$(ls /usr/share/python-wheels/pip-*.whl)/pip" install --no-index \
      --no-cache-dir --disable-pip-version-check --find-links /wheels /wheels/*.whl \
 && rm -rf /opt/venv/lib/python3.11/site-packages/numpy/*/tests \
      /opt/venv/lib/python3.11/site-packages/scipy/*/tests \
      /opt/venv/lib/python3.11/site-packages/scipy/*/*/tests \
      /opt/venv/lib/python3.11/site-packages/sklearn/*/tests \
      /opt/venv/lib/python3.11/site-packages/sklearn/*/*/tests

# The application, its answers and training data, and the NLU model trained once here
# (cached by a hash of intents/); the process may write only /app/var (files users send go
# to /app/var/media, a volume shared by all workers in compose.yaml).
RUN --mount=type=bind,source=build/wheels/app,target=/wheels/app \
    --mount=type=bind,source=content,target=/src/content \
    --mount=type=bind,source=intents,target=/src/intents \
    /opt/venv/bin/python "$(ls /usr/share/python-wheels/pip-*.whl)/pip" install --no-index \
      --no-deps --no-cache-dir --disable-pip-version-check /wheels/app/*.whl \
 && cp -r /src/content /src/intents /app/ \
 && install -d -o jalur -g jalur /app/var /app/var/cache /app/var/media \
 && runuser -u jalur -- /opt/venv/bin/python -c "from bot.composition import load_nlu; \
from bot.settings import Settings; load_nlu(Settings())"

USER jalur
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2); sys.exit(0)" || exit 1
STOPSIGNAL SIGTERM
CMD ["jalur-aman", "serve", "--host", "0.0.0.0", "--port", "8080", "--shutdown-timeout", "20"]
