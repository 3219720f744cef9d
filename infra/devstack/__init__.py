"""Launchers for development and tests: embedded PostgreSQL and a local single-node Kafka."""
