"""The event store on PostgreSQL (eventsourcing): appends, loads, pinned scans of the log, the
auditor's history, and the physical erasure of a history-less client."""
