-- 0310 history: monthly history for trend charts (docs/formats.md section E):
-- ward-level sickness absence, vacancies and temporary staffing by
-- organisation and staff group, and which published-statistics files were
-- synthetic (the demo's).  Organisation-level sickness history goes into
-- sickness_absence (0250) beside the real publication, so the sickness KPI
-- and SPC charts read one table; a real published figure always wins over a
-- synthetic one for the same organisation and month.

-- stat_import.synthetic: 1 when the file was generated (the demo), so a
-- page can say its figures are not published ones.
ALTER TABLE stat_import ADD COLUMN synthetic BIGINT NOT NULL DEFAULT 0
    CHECK (synthetic IN (0, 1));

-- history_import: one row per history file imported (the organisation
-- sickness file is recorded in stat_import instead, because
-- sickness_absence.import_id points there).  rows_skipped: rows not loaded
-- because a published figure already held their organisation and month.
CREATE TABLE history_import (
    id BIGINT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sickness_wards', 'vacancies', 'temporary_staffing')),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    synthetic BIGINT NOT NULL CHECK (synthetic IN (0, 1)),
    imported_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    audit_seq BIGINT
);

-- sickness_ward_history: FTE days lost and available per ward or team node
-- (kind ward or team) and month.  org_id is the employer.
CREATE TABLE sickness_ward_history (
    node_id BIGINT NOT NULL REFERENCES org (id),
    month BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES org (id),
    fte_days_lost DOUBLE PRECISION NOT NULL CHECK (fte_days_lost >= 0),
    fte_days_available DOUBLE PRECISION NOT NULL CHECK (fte_days_available >= 0),
    rate_percent DOUBLE PRECISION NOT NULL,
    import_id BIGINT NOT NULL REFERENCES history_import (id),
    PRIMARY KEY (node_id, month)
);

CREATE INDEX sickness_ward_history_org ON sickness_ward_history (org_id, month);

-- vacancy_history: funded establishment and contracted WTE per employer,
-- NHS Digital staff group and month (vacancy = establishment - contracted).
CREATE TABLE vacancy_history (
    org_id BIGINT NOT NULL REFERENCES org (id),
    month BIGINT NOT NULL,
    staff_group TEXT NOT NULL,
    establishment_wte DOUBLE PRECISION NOT NULL CHECK (establishment_wte >= 0),
    contracted_wte DOUBLE PRECISION NOT NULL CHECK (contracted_wte >= 0),
    import_id BIGINT NOT NULL REFERENCES history_import (id),
    PRIMARY KEY (org_id, month, staff_group)
);

-- temporary_staffing_history: bank, agency, overtime and locum use per
-- employer, staff group, type and month; framework as temporary_staffing
-- ('' when not agency).
CREATE TABLE temporary_staffing_history (
    org_id BIGINT NOT NULL REFERENCES org (id),
    month BIGINT NOT NULL,
    staff_group TEXT NOT NULL,
    staffing_type TEXT NOT NULL CHECK (staffing_type = 'bank' OR staffing_type = 'agency' OR
        staffing_type = 'overtime' OR staffing_type = 'locum'),
    framework TEXT NOT NULL CHECK (framework = 'on' OR framework = 'off' OR framework = ''),
    hours DOUBLE PRECISION NOT NULL CHECK (hours >= 0),
    shifts BIGINT NOT NULL CHECK (shifts >= 0),
    spend_pence BIGINT NOT NULL CHECK (spend_pence >= 0),
    import_id BIGINT NOT NULL REFERENCES history_import (id),
    PRIMARY KEY (org_id, month, staff_group, staffing_type, framework)
);
