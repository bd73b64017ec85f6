-- 0600 self-assessment toolkits (docs/toolkits.md): every version of every
-- toolkit file as loaded, with its factors and statements as rows so that
-- the version rules (no factor lost, no statement moved) are checked with
-- SQL and rounds can point at the exact version they were answered on.

-- toolkit: one row per toolkit id; latest_version is the highest loaded.
CREATE TABLE toolkit (
    id TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    latest_version BIGINT NOT NULL CHECK (latest_version >= 1)
);

-- toolkit_version: one loaded file.  body: the file's text exactly as
-- loaded (parsed again whenever the toolkit is read, by the same code that
-- validated it); sha256 of those bytes.  levels: "trust", "icb,region".
-- audit_seq: the toolkit.load entry.
CREATE TABLE toolkit_version (
    toolkit_id TEXT NOT NULL REFERENCES toolkit (id),
    version BIGINT NOT NULL CHECK (version >= 1),
    title TEXT NOT NULL,
    levels TEXT NOT NULL,
    framework TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    body TEXT NOT NULL,
    loaded_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    audit_seq BIGINT REFERENCES audit_entry (seq),
    PRIMARY KEY (toolkit_id, version)
);

-- toolkit_factor: the factors of a version, in order.
CREATE TABLE toolkit_factor (
    toolkit_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    factor_id TEXT NOT NULL,
    ord BIGINT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (toolkit_id, version, factor_id),
    FOREIGN KEY (toolkit_id, version) REFERENCES toolkit_version (toolkit_id, version)
);

-- toolkit_statement: the statements of a version, in order, each under
-- its factor.  A statement id keeps its factor in every version.
CREATE TABLE toolkit_statement (
    toolkit_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    statement_id TEXT NOT NULL,
    factor_id TEXT NOT NULL,
    ord BIGINT NOT NULL,
    PRIMARY KEY (toolkit_id, version, statement_id),
    FOREIGN KEY (toolkit_id, version, factor_id)
        REFERENCES toolkit_factor (toolkit_id, version, factor_id)
);

CREATE INDEX toolkit_statement_id ON toolkit_statement (toolkit_id, statement_id);
