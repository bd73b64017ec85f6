-- 0250 published statistics, kept exactly as published: NHS Sickness
-- Absence Rates and HCHS staff in post by staff group, nationality and
-- organisation.  Each row points at the organisation node it belongs to and
-- at the import (one row per file) that brought it.

-- stat_import: one row per file imported.  sha256: of the file's bytes;
-- audit_seq: the audit entry of the import (one per import command).
CREATE TABLE stat_import (
    id BIGINT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sickness', 'staff_in_post')),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    imported_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    audit_seq BIGINT
);

-- sickness_absence: one row per organisation and month.  The region, ICS
-- and organisation codes, names and type are the file's own; org_id is the
-- node they were matched to.  published_date is the file's DATE as
-- YYYY-MM-DD (the month's last day); rate_percent the published rate.
CREATE TABLE sickness_absence (
    month BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES org (id),
    published_date TEXT NOT NULL,
    region_code TEXT NOT NULL,
    region_name TEXT NOT NULL,
    ics_code TEXT NOT NULL,
    ics_name TEXT NOT NULL,
    org_code TEXT NOT NULL,
    org_name TEXT NOT NULL,
    org_type TEXT NOT NULL,
    fte_days_lost DOUBLE PRECISION NOT NULL CHECK (fte_days_lost >= 0),
    fte_days_available DOUBLE PRECISION NOT NULL CHECK (fte_days_available > 0),
    rate_percent DOUBLE PRECISION NOT NULL,
    import_id BIGINT NOT NULL REFERENCES stat_import (id),
    PRIMARY KEY (month, org_id)
);

-- staff_in_post: FTE as published for one organisation, staff group and
-- nationality at a month end.  A national file is 80,000 rows loaded with
-- COPY, so org_id and import_id carry no foreign keys (whose per-row
-- triggers would triple the load): the importer takes both from rows it
-- has just read or written in the same transaction, and organisations are
-- never deleted.  staff_group is the file's spelling,
-- staff_group_code the staff_group row it named when imported (no foreign
-- key, so reference data can be reloaded under loaded figures).
CREATE TABLE staff_in_post (
    month BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    org_name TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    staff_group_code TEXT NOT NULL,
    nationality TEXT NOT NULL,
    fte DOUBLE PRECISION NOT NULL CHECK (fte >= 0),
    import_id BIGINT NOT NULL,
    PRIMARY KEY (month, org_id, staff_group, nationality)
);

CREATE INDEX sickness_absence_import ON sickness_absence (import_id);
