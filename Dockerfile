# The front ends are built in a Node stage; the gateway serves them from /app/web/dist.
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npx vite build

FROM python:3.11-slim
# The documents' font: DejaVu Sans covers Latin and Arabic.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The dependencies first, in a layer of their own: a change of code does not reinstall them.
# The production lock: no development or embedded-PostgreSQL packages.
COPY requirements/prod.lock requirements.lock
RUN pip install --no-cache-dir -r requirements.lock
COPY domain domain
COPY commands commands
COPY projections projections
COPY gateways gateways
COPY infra infra
COPY schemas schemas
COPY pyproject.toml ./
RUN pip install --no-cache-dir --no-deps .
COPY --from=web /web/dist web/dist
ENV MTF_WEB_DIST=/app/web/dist MTF_HTTP_HOST=0.0.0.0 MTF_DATA_DIR=/var/lib/mtf
# Not root. The one place it writes is MTF_DATA_DIR (development keys or an embedded database, when none is
# configured); in production both come from outside.
RUN useradd --system --uid 10001 --no-create-home mtf && mkdir -p /var/lib/mtf && chown mtf /var/lib/mtf
USER mtf
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"MTF_HTTP_PORT\", \"8000\")}/health', timeout=2)"
CMD ["mtf", "gateway"]
