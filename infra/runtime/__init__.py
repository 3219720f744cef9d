"""The composition root: the CLI, the assembly of a process from its roles, the FastAPI app, the
gateway's workers and the schema export.

The one place allowed to import every layer (domain, schemas, infra, commands, projections,
gateways); nothing outside it imports it. The import-linter contracts in pyproject.toml say so."""
