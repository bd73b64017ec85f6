-- The fair peer of `cadre import staff` (bench/import.sh): the sqlite3 shell
-- imports the extract into a staging table, then plain SQL normalises it into
-- the same keyed tables Cadre fills (person, staff, assignment, staff_extract;
-- schema 0300), with the same connection settings (WAL, synchronous=NORMAL).
-- It derives the NHS Digital staff group by the same rule (medical grade,
-- then occupation code, then Cadre's ESR fallback) once per distinct
-- combination, as a good SQL writer would.  It does NOT validate anything,
-- compute HMACs (SQL has none: the key is a SHA-3 of the identifier, which
-- the shell provides), digests, dated history or the per-node statistics:
-- it is the lower bound of a load done in SQL.
.bail on
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA foreign_keys=ON;
CREATE TEMP TABLE staging (
    assignment_ref TEXT, staff_ref TEXT, national_identifier TEXT, display_name TEXT,
    manager_staff_ref TEXT, org_code TEXT, cost_centre_code TEXT, position_ref TEXT,
    occupation_code TEXT, esr_staff_group TEXT, grade TEXT, contracted_hours TEXT, fte TEXT,
    assignment_category TEXT, start_date TEXT, end_date TEXT, leaving_reason TEXT,
    birth_year TEXT, sex TEXT, ethnic_category TEXT, disability TEXT, profession TEXT,
    registration_body TEXT, qualification_year TEXT, training_stage TEXT,
    leadership_level TEXT, extract_date TEXT);
.import --csv --skip 1 --schema temp staff.csv staging
BEGIN IMMEDIATE;
-- people: one per identifier, keyed by its hash; one per staff record without
CREATE TEMP TABLE sf AS
    SELECT org_code, staff_ref, MIN(rowid) AS r FROM temp.staging GROUP BY org_code, staff_ref;
CREATE TEMP TABLE pk AS
    SELECT lower(hex(substr(sha3('cadre-person-v1:' || national_identifier, 256), 1, 16))) AS k
    FROM temp.staging WHERE national_identifier <> '' GROUP BY national_identifier;
INSERT INTO person (id, person_key)
    SELECT (SELECT COALESCE(MAX(id), 0) FROM person) + ROW_NUMBER() OVER (ORDER BY k), k
    FROM temp.pk ORDER BY k;
CREATE TEMP TABLE kl AS
    SELECT sf.r AS r, (SELECT COALESCE(MAX(id), 0) FROM person) + ROW_NUMBER() OVER (ORDER BY sf.r) AS pid
    FROM temp.sf JOIN temp.staging s ON s.rowid = sf.r WHERE s.national_identifier = '';
INSERT INTO person (id, person_key) SELECT pid, NULL FROM temp.kl;
INSERT INTO staff (id, org_id, staff_ref, person_id, birth_year, valid_from, display_name, sex,
                   ethnic_category, disability, profession, registration_body,
                   qualification_year, attr_digest, import_id)
    SELECT (SELECT COALESCE(MAX(id), 0) FROM staff) + ROW_NUMBER() OVER (ORDER BY sf.r),
           o.id, s.staff_ref, COALESCE(p.id, kl.pid), CAST(s.birth_year AS INTEGER), '1900-01-01',
           NULLIF(s.display_name, ''), s.sex, s.ethnic_category, s.disability,
           NULLIF(s.profession, ''), NULLIF(s.registration_body, ''),
           CAST(NULLIF(s.qualification_year, '') AS INTEGER), 0, 1
    FROM temp.sf JOIN temp.staging s ON s.rowid = sf.r JOIN org o ON o.code = s.org_code
    LEFT JOIN person p ON s.national_identifier <> '' AND p.person_key =
        lower(hex(substr(sha3('cadre-person-v1:' || s.national_identifier, 256), 1, 16)))
    LEFT JOIN temp.kl ON kl.r = sf.r
    ORDER BY sf.r;
-- the staff group of each distinct (grade, occupation, ESR group, profession)
CREATE TEMP TABLE combo AS
    SELECT DISTINCT grade, occupation_code, esr_staff_group, profession FROM temp.staging;
CREATE TEMP TABLE derive AS
    SELECT c.grade, c.occupation_code, c.esr_staff_group, c.profession,
        (SELECT mg.nhsd_staff_group_code FROM medical_grade mg
         WHERE c.grade LIKE 'MED-%' AND mg.nhsd_staff_group_code IS NOT NULL
           AND mg.code = CASE WHEN instr(substr(c.grade, 5), '-') > 0
                              THEN substr(c.grade, 5, instr(substr(c.grade, 5), '-') - 1)
                              ELSE substr(c.grade, 5) END) AS by_grade,
        (SELECT CASE WHEN g.is_total = 0 THEN oc.nhsd_staff_group_code END
         FROM occupation_code oc LEFT JOIN staff_group g ON g.code = oc.nhsd_staff_group_code
         WHERE (oc.rule = 'exact' AND oc.code = c.occupation_code)
            OR (oc.rule = 'prefix' AND substr(c.occupation_code, 1, length(oc.code)) = oc.code)
            OR (oc.rule = 'numeric' AND c.occupation_code GLOB '[0-9][0-9][0-9]')
         ORDER BY CASE oc.rule WHEN 'exact' THEN 0 WHEN 'prefix' THEN 1 ELSE 2 END,
                  length(oc.code) DESC LIMIT 1) AS by_occupation,
        COALESCE((SELECT m.nhsd_staff_group_code FROM esr_staff_group_map m
                  WHERE m.role = 'fallback' AND m.esr_code = c.esr_staff_group
                    AND (m.profession = '*' OR m.profession = c.profession)
                    AND (m.pay_system = '*' OR m.pay_system = substr(c.grade, 1, 3))
                  ORDER BY (m.profession <> '*') * 2 + (m.pay_system <> '*') DESC LIMIT 1),
                 'UNKNOWN') AS by_fallback
    FROM temp.combo c;
CREATE INDEX temp.derive_key ON derive (grade, occupation_code, esr_staff_group, profession);
INSERT INTO assignment (id, assignment_ref, staff_id, org_id, start_date, end_date,
                        leaving_reason, valid_from, cost_centre_id, position_ref,
                        occupation_code, esr_staff_group, grade, grade_band, staff_group,
                        staff_group_basis, staff_group_conflict, contracted_hours, fte,
                        category, manager_staff_id, training_stage, leadership_level,
                        terms_digest, import_id)
    SELECT (SELECT COALESCE(MAX(id), 0) FROM assignment) + s.rowid, s.assignment_ref, st.id, o.id,
           s.start_date, NULLIF(s.end_date, ''), NULLIF(s.leaving_reason, ''), '1900-01-01',
           cc.id, s.position_ref, s.occupation_code, s.esr_staff_group, s.grade,
           CASE WHEN s.grade = 'VSM' THEN 'VSM'
                WHEN instr(substr(s.grade, 5), '-') > 0
                THEN substr(s.grade, 1, 3 + instr(substr(s.grade, 5), '-'))
                ELSE s.grade END,
           COALESCE(d.by_grade, d.by_occupation, d.by_fallback),
           CASE WHEN d.by_grade IS NOT NULL THEN 'grade'
                WHEN d.by_occupation IS NOT NULL THEN 'occupation' ELSE 'fallback' END,
           CASE WHEN COALESCE(d.by_grade, d.by_occupation) IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM esr_staff_group_map m WHERE m.role = 'consistent'
                    AND m.esr_code = s.esr_staff_group
                    AND m.nhsd_staff_group_code = COALESCE(d.by_grade, d.by_occupation))
                THEN 1 ELSE 0 END,
           CAST(s.contracted_hours AS REAL), CAST(s.fte AS REAL), s.assignment_category,
           m.id, NULLIF(s.training_stage, ''), CAST(s.leadership_level AS INTEGER), 0, 1
    FROM temp.staging s
    JOIN org o ON o.code = s.org_code
    JOIN staff st ON st.org_id = o.id AND st.staff_ref = s.staff_ref
    JOIN cost_centre cc ON cc.org_id = o.id AND cc.code = s.cost_centre_code
    LEFT JOIN staff m ON m.org_id = o.id AND m.staff_ref = NULLIF(s.manager_staff_ref, '')
    JOIN temp.derive d ON d.grade = s.grade AND d.occupation_code = s.occupation_code
        AND d.esr_staff_group = s.esr_staff_group AND d.profession = s.profession
    ORDER BY s.rowid;
INSERT INTO staff_extract (org_id, first_extract_date, extract_date, import_id)
    SELECT o.id, MIN(s.extract_date), MIN(s.extract_date), 1 FROM temp.staging s
    JOIN org o ON o.code = s.org_code GROUP BY o.id;
COMMIT;
SELECT 'peer rows', (SELECT COUNT(*) FROM person), (SELECT COUNT(*) FROM staff),
       (SELECT COUNT(*) FROM assignment);
