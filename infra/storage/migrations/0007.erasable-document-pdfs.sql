-- An erased client's PDFs are dropped (they print its name and address); the rows stay, their number,
-- date and fingerprint verifying a printed copy.
ALTER TABLE documents.contract_documents ALTER COLUMN pdf DROP NOT NULL;
ALTER TABLE documents.invoice_documents ALTER COLUMN pdf DROP NOT NULL;
ALTER TABLE documents.credit_note_documents ALTER COLUMN pdf DROP NOT NULL;
