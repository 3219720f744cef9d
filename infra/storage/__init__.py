"""Tables that are not event-sourced: issued documents, the notifications outbox, landing drafts,
one-time codes, visitor tokens and attempt counts."""
