-- The number a self-service draft holds, so that the contract gets the number the visitor was shown.
ALTER TABLE landing.drafts ADD COLUMN IF NOT EXISTS held_number text;
