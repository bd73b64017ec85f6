-- 0210 reference data: the files under data/ as tables, loaded (and
-- reloaded, idempotently) by `cadre init` and `cadre refdata load`.
-- docs/reference-data.md describes each file; docs/organisations.md the
-- loader.  Columns keep the files' names; an empty cell is NULL.
-- Regions, ICBs and trusts go into org / org_edge (0200), not here.

-- ref_file: each file loaded, with its provenance from the sidecar.
CREATE TABLE ref_file (
    path TEXT NOT NULL PRIMARY KEY,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL,
    licence TEXT NOT NULL,
    publication_date TEXT NOT NULL,
    coverage TEXT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_secondary BIGINT NOT NULL,
    rows_inferred BIGINT NOT NULL,
    rows_gap BIGINT NOT NULL,
    loaded_us BIGINT NOT NULL
);

-- ref_source: the sidecar's source lines ("KEY = citation" or a citation).
CREATE TABLE ref_source (
    path TEXT NOT NULL REFERENCES ref_file (path),
    seq BIGINT NOT NULL,
    source_key TEXT,
    citation TEXT NOT NULL,
    PRIMARY KEY (path, seq)
);

CREATE TABLE staff_group (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    parent_code TEXT,
    level BIGINT NOT NULL,
    is_total BIGINT NOT NULL CHECK (is_total IN (0, 1)),
    aliases TEXT,
    status TEXT NOT NULL
);

CREATE TABLE esr_staff_group (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    esr_label TEXT,
    status TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE occupation_code (
    code TEXT NOT NULL PRIMARY KEY,
    rule TEXT NOT NULL CHECK (rule IN ('exact', 'prefix', 'numeric')),
    name TEXT NOT NULL,
    nhsd_staff_group_code TEXT,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE medical_grade (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    nhsd_staff_group_code TEXT,
    job_role_codes TEXT,
    status TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE ethnic_category (
    code TEXT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    broad_group TEXT NOT NULL,
    minority_ethnic BIGINT CHECK (minority_ethnic IS NULL OR minority_ethnic IN (0, 1)),
    status TEXT NOT NULL,
    notes TEXT
);

-- workforce_parameter: key (parameter, staff_group_code, period), whose
-- last two may be empty, so the loader checks it (no primary key).
CREATE TABLE workforce_parameter (
    parameter TEXT NOT NULL,
    staff_group_code TEXT,
    period TEXT,
    value DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    definition TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    status TEXT NOT NULL,
    notes TEXT
);

CREATE INDEX workforce_parameter_key ON workforce_parameter (parameter, staff_group_code);

CREATE TABLE afc_band (
    band TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    open_to_new_entrants BIGINT NOT NULL CHECK (open_to_new_entrants IN (0, 1)),
    status TEXT NOT NULL,
    notes TEXT
);

-- afc_pay: one dated table per financial year (one file each); a whole
-- missing band is one row with pay_point and salary NULL and its status
-- saying why.  Money in pence.
CREATE TABLE afc_pay (
    financial_year TEXT NOT NULL,
    band TEXT NOT NULL REFERENCES afc_band (band),
    pay_point BIGINT,
    annual_salary_pence BIGINT,
    status TEXT NOT NULL,
    source TEXT,
    file TEXT NOT NULL
);

CREATE INDEX afc_pay_key ON afc_pay (financial_year, band, pay_point);

CREATE TABLE on_cost (
    financial_year TEXT NOT NULL,
    component TEXT NOT NULL,
    rate_percent DOUBLE PRECISION NOT NULL,
    threshold_pence BIGINT,
    allowance_pence BIGINT,
    basis TEXT NOT NULL,
    paid_by TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    notes TEXT,
    PRIMARY KEY (financial_year, component)
);

-- vsm_pay: items of the VSM framework; value is text (a date, a rate or
-- pence, as unit says), NULL for a gap.
CREATE TABLE vsm_pay (
    financial_year TEXT NOT NULL,
    item TEXT NOT NULL,
    value TEXT,
    unit TEXT,
    status TEXT NOT NULL,
    source TEXT,
    notes TEXT,
    PRIMARY KEY (financial_year, item)
);
