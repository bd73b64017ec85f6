-- Deployment-wide settings shared by every server: the first audited
-- table.  row_hash: SHA-256 of the row's canonical form (docs/audit.md,
-- "Row hash"); audit_seq: the audit entry that last changed the row.
CREATE TABLE setting (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    row_hash TEXT,
    audit_seq BIGINT REFERENCES audit_entry (seq)
);
