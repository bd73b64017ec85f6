-- 0500 accounts, grants, sessions, API tokens and sign-in throttling
-- (docs/web.md, "Accounts, roles and sessions").  Ids are assigned by the
-- domain as MAX(id) + 1 inside the writing transaction (as org does), so
-- one generic file serves both stores.  Times are microseconds UTC.

-- account: a person (or an API client) who signs in.  email is stored
-- trimmed and with ASCII letters lower-cased, so it compares exactly on
-- both stores.  org_id is the account's own organisation (shown in the
-- page header; an administrator manages the accounts of the organisations
-- in their scope).  person_id links the account to a staff record when the
-- people tables exist.  password_hash is libsodium's Argon2id string
-- (crypto_pwhash_str), NULL for an account that cannot sign in with a
-- password.  epoch goes up on every change of the account's privileges;
-- a session from an older epoch is given a new id on its next request.
-- row_hash and audit_seq: an audited table (audit.h); the canonical row
-- leaves out password_hash and epoch.
CREATE TABLE account (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id >= 1),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES org (id),
    person_id BIGINT,
    password_hash TEXT,
    disabled BIGINT NOT NULL CHECK (disabled IN (0, 1)),
    epoch BIGINT NOT NULL CHECK (epoch >= 1),
    created_at BIGINT NOT NULL,
    row_hash TEXT,
    audit_seq BIGINT REFERENCES audit_entry (seq),
    CONSTRAINT account_email_unique UNIQUE (email)
);

CREATE INDEX account_org ON account (org_id);

-- account_grant: a role held over an organisation and everything below it
-- (org_ancestor).  Audited; a revoked grant is deleted, its entry saying so.
CREATE TABLE account_grant (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id >= 1),
    account_id BIGINT NOT NULL REFERENCES account (id),
    role TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES org (id),
    granted_at BIGINT NOT NULL,
    granted_by TEXT NOT NULL,
    row_hash TEXT,
    audit_seq BIGINT REFERENCES audit_entry (seq),
    CONSTRAINT account_grant_unique UNIQUE (account_id, role, org_id)
);

-- session: a signed-in browser.  The cookie holds 32 random bytes; only
-- their SHA-256 (hex) is stored, so a copy of the database signs no one
-- in.  last_seen_at is written at most once a minute.  ended_at: signed
-- out, replaced by a new id, or ended by an administrator.
CREATE TABLE session (
    id_hash TEXT NOT NULL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account (id),
    epoch BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at BIGINT
);

CREATE INDEX session_account ON session (account_id);

-- api_token: a bearer token for an API client, acting as account_id.
-- Only the SHA-256 (hex) of the secret is stored; prefix is its first
-- characters, for recognising it in lists.  last_used_at is written at
-- most once a minute.
CREATE TABLE api_token (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id >= 1),
    account_id BIGINT NOT NULL REFERENCES account (id),
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT,
    CONSTRAINT api_token_hash_unique UNIQUE (token_hash)
);

-- signin_throttle: sign-in attempts counted per key in a fixed window.
-- key: "account:" and the SHA-256 of the email as typed (normalised), so
-- addresses that have no account are throttled alike and nothing reveals
-- which exist; or "address:" and the client's address.
CREATE TABLE signin_throttle (
    key TEXT NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL CHECK (attempts >= 0)
);
