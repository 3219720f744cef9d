-- The relay leader's lease: renewed every second on the connection that holds its advisory lock. A
-- standby that finds it older than the lease timeout ends that session, so a leader cut off by the
-- network loses the lead within a bound instead of after the kernel's keepalive (hours).
CREATE TABLE IF NOT EXISTS eventstore.relay_lease (
    relay      text PRIMARY KEY,
    holder_pid int NOT NULL,
    renewed_at timestamptz NOT NULL
);
