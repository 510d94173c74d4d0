# PostgreSQL for the compose stack: Debian's postgresql-15 on the same base as the bot.
# Data in /var/lib/postgresql/data (a volume); the first start creates POSTGRES_USER (with
# POSTGRES_PASSWORD) and POSTGRES_DB. JIT compilation is left out: its LLVM libraries are
# 130 MB of the image, and without them PostgreSQL runs with jit unavailable.
# Build context: deploy/.
ARG BASE=debian:bookworm-slim
FROM ${BASE}
RUN mkdir -p /etc/postgresql-common \
 && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode \
    /usr/lib/x86_64-linux-gnu/libLLVM-*.so* /usr/lib/x86_64-linux-gnu/libz3.so* \
 && install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data \
 && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=20 \
  CMD pg_isready -q -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" || exit 1
STOPSIGNAL SIGINT
ENTRYPOINT ["postgres-entrypoint"]
