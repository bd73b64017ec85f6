-- 0300 people: staff, their assignments and the derived staff group, from
-- ESR-style staff extracts (docs/people.md, docs/formats.md section A).
--
-- Identity.  A person is counted once however many posts and employers they
-- have.  `person` holds one row per person: person_key is the HMAC of their
-- national identifier under the deployment's pseudonym key (the identifier
-- itself is never stored), NULL for someone known only at one employer (no
-- identifier in the extract).  `staff` is a person at one employer (the
-- employer's staff_ref); `assignment` is one post of a staff record.
--
-- Dating.  Current values live in staff and assignment with the date they
-- apply from (valid_from); superseded values move to staff_history and
-- assignment_history with valid_from and valid_to (inclusive).  The first
-- values ever seen apply from 1900-01-01 (held back, as the organisation
-- hierarchy's earliest-known edges are).  start_date, end_date and
-- leaving_reason are facts about the assignment's life, not dated terms:
-- the latest extract's word on them stands.
--
-- The big tables carry no foreign keys (as staff_in_post in 0250): a
-- national extract is millions of rows, loaded with COPY on PostgreSQL, and
-- the importer takes every id from rows it has just read or written in the
-- same transaction.  Money in pence, FTE and hours as fractions, dates
-- 'YYYY-MM-DD', months yyyymm.  Enumerations are checked with = ... OR ...,
-- not IN (...): SQLite evaluates an IN list of three or more values by
-- building a temporary index for every row inserted, which tripled the
-- cost of loading a national extract.

-- people_import: one row per import of the people and establishment area
-- (staff, cost centres, establishment, temporary staffing).  audit_seq: the
-- import's one audit entry.
CREATE TABLE people_import (
    id BIGINT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL
        CHECK (kind = 'staff' OR kind = 'cost_centres' OR kind = 'establishment' OR
            kind = 'temporary_staffing'),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_changed BIGINT NOT NULL,
    imported_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    audit_seq BIGINT
);

-- people_state: one row; generation moves on with every change to the
-- people tables, so an import planned outside the write lock can tell that
-- another one committed meanwhile.
CREATE TABLE people_state (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);

INSERT INTO people_state (id, generation) VALUES (1, 0);

CREATE TABLE person (
    id BIGINT NOT NULL PRIMARY KEY,
    person_key TEXT,
    CONSTRAINT person_key_unique UNIQUE (person_key)
);

-- staff: a person at one employer, with the person's current attributes
-- as that employer records them.  birth_year never changes.
CREATE TABLE staff (
    id BIGINT NOT NULL PRIMARY KEY,
    org_id BIGINT NOT NULL,
    staff_ref TEXT NOT NULL,
    person_id BIGINT NOT NULL,
    birth_year BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    display_name TEXT,
    sex TEXT NOT NULL CHECK (sex = 'F' OR sex = 'M'),
    ethnic_category TEXT NOT NULL,
    disability TEXT NOT NULL CHECK (disability = 'yes' OR disability = 'no' OR
        disability = 'not_declared'),
    profession TEXT,
    registration_body TEXT,
    qualification_year BIGINT,
    attr_digest BIGINT NOT NULL,
    import_id BIGINT NOT NULL,
    CONSTRAINT staff_org_ref UNIQUE (org_id, staff_ref)
);

CREATE TABLE staff_history (
    staff_id BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    display_name TEXT,
    sex TEXT NOT NULL,
    ethnic_category TEXT NOT NULL,
    disability TEXT NOT NULL,
    profession TEXT,
    registration_body TEXT,
    qualification_year BIGINT,
    import_id BIGINT NOT NULL,
    PRIMARY KEY (staff_id, valid_from)
);

-- assignment: one post.  The terms (cost centre to leadership_level) are
-- dated by valid_from; staff_group is the NHS Digital staff group Cadre
-- derived (staff_group_basis: 'grade' from the medical grade, 'occupation'
-- from the occupation code, 'fallback' from the ESR staff group because the
-- reference data does not map the occupation code); staff_group_conflict
-- is 1 when an authoritative derivation disagrees with the ESR staff group.
-- grade_band is the grade without its pay point (AFC-5, MED-CONS, VSM), the
-- level at which the ledger budgets.  closed_import_id: the import that
-- closed the assignment because a newer extract of its employer no longer
-- listed it.
CREATE TABLE assignment (
    id BIGINT NOT NULL PRIMARY KEY,
    assignment_ref TEXT NOT NULL,
    staff_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    leaving_reason TEXT,
    closed_import_id BIGINT,
    valid_from TEXT NOT NULL,
    cost_centre_id BIGINT NOT NULL,
    position_ref TEXT NOT NULL,
    occupation_code TEXT NOT NULL,
    esr_staff_group TEXT NOT NULL,
    grade TEXT NOT NULL,
    grade_band TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    staff_group_basis TEXT NOT NULL
        CHECK (staff_group_basis = 'grade' OR staff_group_basis = 'occupation' OR
            staff_group_basis = 'fallback'),
    staff_group_conflict BIGINT NOT NULL CHECK (staff_group_conflict IN (0, 1)),
    contracted_hours DOUBLE PRECISION NOT NULL,
    fte DOUBLE PRECISION NOT NULL,
    category TEXT NOT NULL
        CHECK (category = 'permanent' OR category = 'fixed_term' OR category = 'bank' OR
            category = 'honorary' OR category = 'locum'),
    manager_staff_id BIGINT,
    training_stage TEXT,
    leadership_level BIGINT NOT NULL CHECK (leadership_level BETWEEN 0 AND 4),
    terms_digest BIGINT NOT NULL,
    import_id BIGINT NOT NULL,
    CONSTRAINT assignment_ref_unique UNIQUE (assignment_ref)
);

CREATE TABLE assignment_history (
    assignment_id BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    cost_centre_id BIGINT NOT NULL,
    position_ref TEXT NOT NULL,
    occupation_code TEXT NOT NULL,
    esr_staff_group TEXT NOT NULL,
    grade TEXT NOT NULL,
    grade_band TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    staff_group_basis TEXT NOT NULL,
    staff_group_conflict BIGINT NOT NULL,
    contracted_hours DOUBLE PRECISION NOT NULL,
    fte DOUBLE PRECISION NOT NULL,
    category TEXT NOT NULL,
    manager_staff_id BIGINT,
    training_stage TEXT,
    leadership_level BIGINT NOT NULL,
    import_id BIGINT NOT NULL,
    PRIMARY KEY (assignment_id, valid_from)
);

-- staff_extract: per employer, the first and the latest extract imported.
-- A newer extract of an employer closes that employer's open assignments
-- it no longer lists; an older one is refused.
CREATE TABLE staff_extract (
    org_id BIGINT NOT NULL PRIMARY KEY,
    first_extract_date TEXT NOT NULL,
    extract_date TEXT NOT NULL,
    import_id BIGINT NOT NULL
);

-- esr_staff_group_map: Cadre's correspondence between ESR staff groups and
-- NHS Digital staff groups, used where the reference data cannot derive the
-- NHS Digital group (docs/people.md, "Staff group").  role 'fallback': the
-- group given to an assignment of that ESR group (the most specific row
-- wins: profession and pay system, then profession, then pay system, then
-- neither; '*' = any); role 'consistent': a group that does not conflict
-- with the ESR group when the group was derived authoritatively.  These are
-- Cadre's own inferences, not a published table (status says so).
CREATE TABLE esr_staff_group_map (
    esr_code TEXT NOT NULL,
    profession TEXT NOT NULL,
    pay_system TEXT NOT NULL CHECK (pay_system = '*' OR pay_system = 'AFC' OR pay_system = 'MED' OR
        pay_system = 'VSM'),
    role TEXT NOT NULL CHECK (role = 'fallback' OR role = 'consistent'),
    nhsd_staff_group_code TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (esr_code, profession, pay_system, role, nhsd_staff_group_code)
);

INSERT INTO esr_staff_group_map (esr_code, profession, pay_system, role, nhsd_staff_group_code, status) VALUES
    ('01', '*', 'MED', 'fallback', 'DOC_OTHER', 'inferred: fallback'),
    ('01', '*', '*', 'fallback', 'UNKNOWN', 'inferred: fallback'),
    ('02', '*', '*', 'fallback', 'UNKNOWN', 'inferred: fallback'),
    ('03', 'midwifery', '*', 'fallback', 'MIDWIFE', 'inferred: fallback'),
    ('03', '*', '*', 'fallback', 'NURSE_HV', 'inferred: fallback'),
    ('04', 'paramedic', '*', 'fallback', 'AMB', 'inferred: fallback'),
    ('04', '*', '*', 'fallback', 'STT', 'inferred: fallback'),
    ('05', '*', '*', 'fallback', 'STT', 'inferred: fallback'),
    ('06', '*', '*', 'fallback', 'STT', 'inferred: fallback'),
    ('07', '*', '*', 'fallback', 'SUP_DNM', 'inferred: fallback'),
    ('08', '*', 'VSM', 'fallback', 'INFRA_SENIOR_MGR', 'inferred: fallback'),
    ('08', '*', '*', 'fallback', 'INFRA_CENTRAL', 'inferred: fallback'),
    ('09', '*', '*', 'fallback', 'INFRA_HPE', 'inferred: fallback'),
    ('10', '*', '*', 'fallback', 'UNKNOWN', 'inferred: fallback'),
    ('01', '*', '*', 'consistent', 'DOC_CONS', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_AS', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_SD', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_SG', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_STR', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_CT', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_FY1', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_FY2', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_HPCA', 'inferred'),
    ('01', '*', '*', 'consistent', 'DOC_OTHER', 'inferred'),
    ('02', '*', '*', 'consistent', 'SUP_DNM', 'inferred'),
    ('02', '*', '*', 'consistent', 'SUP_STT', 'inferred'),
    ('02', '*', '*', 'consistent', 'SUP_AMB', 'inferred'),
    ('03', '*', '*', 'consistent', 'NURSE_HV', 'inferred'),
    ('03', '*', '*', 'consistent', 'MIDWIFE', 'inferred'),
    ('04', '*', '*', 'consistent', 'STT', 'inferred'),
    ('04', '*', '*', 'consistent', 'AMB', 'inferred'),
    ('05', '*', '*', 'consistent', 'STT', 'inferred'),
    ('05', '*', '*', 'consistent', 'SUP_STT', 'inferred'),
    ('06', '*', '*', 'consistent', 'STT', 'inferred'),
    ('06', '*', '*', 'consistent', 'SUP_STT', 'inferred'),
    ('07', '*', '*', 'consistent', 'SUP_DNM', 'inferred'),
    ('07', '*', '*', 'consistent', 'SUP_AMB', 'inferred'),
    ('07', '*', '*', 'consistent', 'SUP_STT', 'inferred'),
    ('07', '*', '*', 'consistent', 'AMB', 'inferred'),
    ('08', '*', '*', 'consistent', 'INFRA_CENTRAL', 'inferred'),
    ('08', '*', '*', 'consistent', 'INFRA_MGR', 'inferred'),
    ('08', '*', '*', 'consistent', 'INFRA_SENIOR_MGR', 'inferred'),
    ('08', '*', '*', 'consistent', 'SUP_AMB', 'inferred'),
    ('09', '*', '*', 'consistent', 'INFRA_HPE', 'inferred'),
    ('10', '*', '*', 'consistent', 'UNKNOWN', 'inferred');

-- org_stats_staff: staff in post at each month end for every node of the
-- hierarchy (wards and teams, divisions, employers, ICBs, regions,
-- England), recomputed by each staff import, so that pages never scan the
-- staff tables.  headcount: distinct people (never additive: the TOTAL row
-- counts a person once however many groups they are in); fte: the sum;
-- assignments: the assignments counted, fallback_assignments those whose
-- staff group came from Cadre's ESR fallback.  staff_group 'TOTAL' is every
-- group.
CREATE TABLE org_stats_staff (
    node_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    staff_group TEXT NOT NULL,
    headcount BIGINT NOT NULL,
    fte DOUBLE PRECISION NOT NULL,
    assignments BIGINT NOT NULL,
    fallback_assignments BIGINT NOT NULL,
    PRIMARY KEY (node_id, month, staff_group)
);

-- org_stats_state: when each kind of org_stats_* was last computed, with
-- the hierarchy it was computed against (org_hierarchy.rebuilt_us), so a
-- reader can tell that a later hierarchy rebuild made it stale.
CREATE TABLE org_stats_state (
    kind TEXT NOT NULL PRIMARY KEY CHECK (kind = 'staff' OR kind = 'establishment' OR
        kind = 'temporary'),
    hierarchy_us BIGINT NOT NULL,
    first_month BIGINT NOT NULL,
    last_month BIGINT NOT NULL,
    rows_written BIGINT NOT NULL,
    computed_us BIGINT NOT NULL
);
