FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
COPY domain domain
COPY commands commands
COPY projections projections
COPY gateways gateways
COPY infra infra
COPY schemas schemas
RUN pip install --no-cache-dir .
CMD ["mtf", "gateway"]
