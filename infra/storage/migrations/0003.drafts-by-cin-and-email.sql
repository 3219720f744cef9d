-- A draft found by its CIN or email, so that erasing a client also deletes the drafts that name them.
-- Drafts saved before this change get the columns from their body.
ALTER TABLE landing.drafts ADD COLUMN IF NOT EXISTS cin text, ADD COLUMN IF NOT EXISTS email text;
UPDATE landing.drafts
   SET cin = upper(regexp_replace(body->>'cin', '[[:space:]]', '', 'g')), email = lower(btrim(body->>'email'))
 WHERE cin IS NULL AND email IS NULL;
CREATE INDEX IF NOT EXISTS drafts_cin ON landing.drafts (cin);
CREATE INDEX IF NOT EXISTS drafts_email ON landing.drafts (email);
