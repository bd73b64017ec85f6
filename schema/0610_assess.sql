-- 0610 self-assessment rounds (docs/toolkits.md): a round per
-- organisation, period and toolkit, answered on one toolkit version; its
-- respondent groups, respondents and answers; the automatic evidence as it
-- stood at close; the board's sign-off; the action plan; good practice
-- shared with other organisations.  Ids are assigned by the domain
-- (MAX(id) + 1 inside the writing transaction).

-- assess_round: period is the financial year's first calendar year (2025
-- is 2025/26).  status: open -> closed -> signed_off.  opened_by and
-- closed_by are the names given (the chief people officer); actor is who
-- made the change in Cadre.
CREATE TABLE assess_round (
    id BIGINT NOT NULL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES org (id),
    period BIGINT NOT NULL CHECK (period BETWEEN 1 AND 9998),
    toolkit_id TEXT NOT NULL,
    toolkit_version BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'signed_off')),
    opened_by TEXT NOT NULL,
    opened_us BIGINT NOT NULL,
    closed_by TEXT,
    closed_us BIGINT,
    actor TEXT NOT NULL,
    FOREIGN KEY (toolkit_id, toolkit_version) REFERENCES toolkit_version (toolkit_id, version),
    CONSTRAINT assess_round_one UNIQUE (org_id, period, toolkit_id)
);

-- assess_group: the respondent groups chosen for a round, in order.
-- selector says how members are chosen: 'invited' (by id, from the command
-- line or the web) is the only one today; the staff extract will add
-- selectors such as 'leadership_level:2' or 'role:line_manager'.
CREATE TABLE assess_group (
    round_id BIGINT NOT NULL REFERENCES assess_round (id),
    group_id TEXT NOT NULL,
    label TEXT NOT NULL,
    ord BIGINT NOT NULL,
    selector TEXT NOT NULL,
    PRIMARY KEY (round_id, group_id)
);

-- assess_respondent: one invited respondent, in one group.  submitted_us
-- is NULL while answers are a draft.
CREATE TABLE assess_respondent (
    round_id BIGINT NOT NULL,
    respondent_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    invited_us BIGINT NOT NULL,
    submitted_us BIGINT,
    PRIMARY KEY (round_id, respondent_id),
    FOREIGN KEY (round_id, group_id) REFERENCES assess_group (round_id, group_id)
);

-- assess_answer: a respondent's answer to a statement of the round's
-- toolkit version.  score 0 = skipped ("don't know"); evidence: the
-- respondent's own note, NULL when none.
CREATE TABLE assess_answer (
    round_id BIGINT NOT NULL,
    respondent_id TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    score BIGINT NOT NULL CHECK (score BETWEEN 0 AND 10),
    evidence TEXT,
    updated_us BIGINT NOT NULL,
    PRIMARY KEY (round_id, respondent_id, statement_id),
    FOREIGN KEY (round_id, respondent_id) REFERENCES assess_respondent (round_id, respondent_id)
);

-- assess_evidence: automatic evidence resolved when the round closed, one
-- row per evidence key (a key used by two statements has one value).
-- available 0: text holds "not available ...: reason" and value is NULL.
CREATE TABLE assess_evidence (
    round_id BIGINT NOT NULL REFERENCES assess_round (id),
    evidence_key TEXT NOT NULL,
    available BIGINT NOT NULL CHECK (available IN (0, 1)),
    value DOUBLE PRECISION,
    unit TEXT NOT NULL,
    concern BIGINT NOT NULL CHECK (concern IN (0, 1)),
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (round_id, evidence_key)
);

-- assess_signoff: the board's sign-off: who, when, and the results as
-- signed (canonical JSON) with their SHA-256.  Audited (row_hash,
-- audit_seq), so `cadre audit verify` can check the live row.
CREATE TABLE assess_signoff (
    round_id BIGINT NOT NULL PRIMARY KEY REFERENCES assess_round (id),
    signed_by TEXT NOT NULL,
    signed_us BIGINT NOT NULL,
    results_sha256 TEXT NOT NULL,
    results TEXT NOT NULL,
    row_hash TEXT,
    audit_seq BIGINT REFERENCES audit_entry (seq)
);

-- assess_action: the action plan of a round.
CREATE TABLE assess_action (
    id BIGINT NOT NULL PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES assess_round (id),
    factor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'dropped')),
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL
);

CREATE INDEX assess_action_round ON assess_action (round_id, id);

-- assess_action_note: progress notes, each with the status it left.
CREATE TABLE assess_action_note (
    action_id BIGINT NOT NULL REFERENCES assess_action (id),
    note_no BIGINT NOT NULL,
    at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (action_id, note_no)
);

-- assess_practice: good practice an organisation chose to share for a
-- statement it scored 4 or more on; named 0 shares it anonymously.
CREATE TABLE assess_practice (
    round_id BIGINT NOT NULL REFERENCES assess_round (id),
    statement_id TEXT NOT NULL,
    named BIGINT NOT NULL CHECK (named IN (0, 1)),
    score DOUBLE PRECISION NOT NULL,
    text TEXT NOT NULL,
    shared_us BIGINT NOT NULL,
    shared_by TEXT NOT NULL,
    PRIMARY KEY (round_id, statement_id)
);
