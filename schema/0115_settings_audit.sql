-- The settings table (0100_core) becomes the first audited table: each row
-- carries the hash of its canonical form (docs/audit.md, "Row hash") and
-- the sequence of the audit entry that last changed it, so
-- `cadre audit verify` can check the live rows against the chain.
ALTER TABLE settings ADD COLUMN row_hash TEXT;
ALTER TABLE settings ADD COLUMN audit_seq BIGINT REFERENCES audit_entry (seq);
