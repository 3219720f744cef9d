"""Adapters, one subpackage per job; see each subpackage's docstring and docs/architecture.md."""
