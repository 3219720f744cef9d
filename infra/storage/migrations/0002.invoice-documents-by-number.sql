-- An invoice's document found by its number, for the verification page its QR code opens; and the
-- credit notes' documents, kept the same way.
ALTER TABLE documents.invoice_documents
    ADD COLUMN IF NOT EXISTS number text,
    ADD COLUMN IF NOT EXISTS issue_date date,
    ADD COLUMN IF NOT EXISTS fingerprint text;
CREATE INDEX IF NOT EXISTS invoice_documents_number ON documents.invoice_documents (number);
CREATE TABLE IF NOT EXISTS documents.credit_note_documents (
    document_id    uuid PRIMARY KEY,
    credit_note_id uuid NOT NULL,
    number         text NOT NULL,
    issue_date     date NOT NULL,
    fingerprint    text NOT NULL,
    sha256         text NOT NULL,
    size           int NOT NULL,
    created_at     timestamptz NOT NULL,
    pdf            bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS credit_note_documents_note ON documents.credit_note_documents (credit_note_id);
CREATE INDEX IF NOT EXISTS credit_note_documents_number ON documents.credit_note_documents (number);
