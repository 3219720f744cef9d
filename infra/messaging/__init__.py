"""Kafka and the outbox relay: the relay tails the event store's notification log and publishes
CloudEvents; the projection consumer feeds read models from the topics."""
