-- The audit trail: a hash chain of entries, serialised on one head row
-- and signed with a key held outside the database.  docs/audit.md gives
-- the byte layouts and how to check them with standard tools.

-- The one row every append updates first: its row lock queues appenders.
-- seq/hash: the last entry (0 and 64 zeros while the chain is empty);
-- mac: HMAC-SHA256 of (seq, hash) under the audit key, NULL until the
-- first entry.
CREATE TABLE audit_head (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL CHECK (seq >= 0),
    hash TEXT NOT NULL,
    mac TEXT
);

INSERT INTO audit_head (id, seq, hash, mac)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', NULL);

-- One entry per change.  at_us: microseconds UTC.  payload_hash: SHA-256
-- of the canonical JSON payload (kept when the payload is redacted).
-- hash: SHA-256 of the entry's layout, which includes prev_hash.
-- mac: HMAC-SHA256 of (seq, hash) under the audit key.
CREATE TABLE audit_entry (
    seq BIGINT NOT NULL PRIMARY KEY CHECK (seq >= 1),
    at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    mac TEXT NOT NULL
);

CREATE INDEX audit_entry_at ON audit_entry (at_us);

-- Payloads apart from the chain, so one can be redacted when its retention
-- ends: payload becomes NULL and redacted_at says when.
CREATE TABLE audit_payload (
    seq BIGINT NOT NULL PRIMARY KEY REFERENCES audit_entry (seq),
    payload TEXT,
    redacted_at BIGINT,
    CHECK ((payload IS NULL) <> (redacted_at IS NULL))
);
