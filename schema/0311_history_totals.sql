-- 0311 history totals: each organisation's history summed by month (ward
-- sickness over its wards, vacancies over its staff groups, temporary
-- staffing over its staff groups and frameworks, per staffing type), kept
-- by the history import, so that a series for a trust, an ICB, a region or
-- England sums a few rows per organisation and month instead of every
-- ward's or staff group's (src/domain/orgseries.h).
--
-- kind: the history file ('sickness_wards', 'vacancies',
-- 'temporary_staffing'); staffing_type: '' except for temporary staffing.
-- sum1, sum2: FTE days lost and available; establishment and contracted
-- WTE; hours and spend in pence.  synthetic: 1 when any row summed came from
-- a synthetic file.
CREATE TABLE history_totals (
    kind TEXT NOT NULL CHECK (kind IN ('sickness_wards', 'vacancies', 'temporary_staffing')),
    month BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    staffing_type TEXT NOT NULL,
    sum1 DOUBLE PRECISION NOT NULL,
    sum2 DOUBLE PRECISION NOT NULL,
    synthetic BIGINT NOT NULL CHECK (synthetic IN (0, 1)),
    PRIMARY KEY (kind, month, org_id, staffing_type)
);

-- what 0310's tables already hold
INSERT INTO history_totals (kind, month, org_id, staffing_type, sum1, sum2, synthetic)
SELECT 'sickness_wards', w.month, w.org_id, '', SUM(w.fte_days_lost),
    SUM(w.fte_days_available), MAX(i.synthetic)
FROM sickness_ward_history w JOIN history_import i ON i.id = w.import_id
GROUP BY w.month, w.org_id;

INSERT INTO history_totals (kind, month, org_id, staffing_type, sum1, sum2, synthetic)
SELECT 'vacancies', v.month, v.org_id, '', SUM(v.establishment_wte), SUM(v.contracted_wte),
    MAX(i.synthetic)
FROM vacancy_history v JOIN history_import i ON i.id = v.import_id
GROUP BY v.month, v.org_id;

INSERT INTO history_totals (kind, month, org_id, staffing_type, sum1, sum2, synthetic)
SELECT 'temporary_staffing', t.month, t.org_id, t.staffing_type, SUM(t.hours),
    SUM(t.spend_pence), MAX(i.synthetic)
FROM temporary_staffing_history t JOIN history_import i ON i.id = t.import_id
GROUP BY t.month, t.org_id, t.staffing_type;
