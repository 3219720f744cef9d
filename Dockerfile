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
COPY pyproject.toml ./
COPY domain domain
COPY commands commands
COPY projections projections
COPY gateways gateways
COPY infra infra
COPY schemas schemas
RUN pip install --no-cache-dir .
COPY --from=web /web/dist web/dist
ENV MTF_WEB_DIST=/app/web/dist
CMD ["mtf", "gateway"]
