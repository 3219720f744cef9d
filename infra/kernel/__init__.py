"""What every process and layer above shares: settings, the clock, the command context, telemetry,
PostgreSQL connection details, crash points for the fault tests. Imports no other part of infra."""
