-- 0520 uploads: files loaded from the browser or the API (docs/web.md,
-- "Imports from the browser").  An upload is stored in the database (so
-- `cadre serve` keeps no state of its own and any server's worker can
-- validate it), base64 in chunks of upload_chunk, and deleted when the
-- upload is committed, discarded or expires; the upload row stays as the
-- import history (who loaded what, when, its SHA-256, rows and outcome).
-- Ids are assigned by the domain as MAX(id) + 1 inside the writing
-- transaction, so one file serves both stores.  Times are microseconds UTC.
--
-- state: queued (a validation job waits) -> validating -> valid | invalid;
-- valid -> committing -> committed (or back to valid / invalid when the
-- import is refused); queued, validating, valid, invalid -> discarded or
-- expired.  org_id is the organisation whose subtree the file may touch
-- (the uploader's grant that holds imports.run); the history is scoped by
-- it.  owner_id is the account (0 for the system), owner_label the actor
-- label, committed_by the label of who committed.
CREATE TABLE upload (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id >= 1),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    owner_label TEXT NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('queued', 'validating', 'valid', 'invalid', 'committing',
                         'committed', 'discarded', 'expired')),
    job_id BIGINT,
    rows_read BIGINT NOT NULL DEFAULT 0,
    problems BIGINT NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    created_us BIGINT NOT NULL,
    expires_us BIGINT NOT NULL,
    validated_us BIGINT,
    committed_us BIGINT,
    committed_by TEXT,
    audit_seq BIGINT
);

CREATE INDEX upload_org ON upload (org_id, id);
CREATE INDEX upload_state ON upload (state, expires_us);

-- upload_chunk: the file's bytes, base64 (so any byte sequence fits a TEXT
-- column on both stores), in order of seq.
CREATE TABLE upload_chunk (
    upload_id BIGINT NOT NULL REFERENCES upload (id),
    seq BIGINT NOT NULL CHECK (seq >= 0),
    data TEXT NOT NULL,
    PRIMARY KEY (upload_id, seq)
);

-- upload_problem: every problem validation (or a refused commit) found, as
-- FILE:LINE:COLUMN: reason (line and col 0 when they do not apply), in
-- order of seq; beyond the importer's cap only a count (upload.problems).
CREATE TABLE upload_problem (
    upload_id BIGINT NOT NULL REFERENCES upload (id),
    seq BIGINT NOT NULL CHECK (seq >= 1),
    line BIGINT NOT NULL,
    col BIGINT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (upload_id, seq)
);
