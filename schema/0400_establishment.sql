-- 0400 establishment: the ledger's cost centres and where they sit in the
-- hierarchy, the funded establishment and temporary staffing (bank, agency,
-- overtime, locum), with their per-node monthly aggregates
-- (docs/people.md; docs/formats.md sections B, C and D).
--
-- Cost centres are not hierarchy nodes: each belongs to one ward or team
-- node (kind ward or team) under a division node under its employer, made
-- by `cadre import cost-centres` with dated snapshot edges.  A cost centre
-- is never deleted (assignments and ledger rows point at it); one that a
-- later map no longer lists keeps its last ward and has in_map 0.

CREATE TABLE cost_centre (
    id BIGINT NOT NULL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES org (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    node_id BIGINT NOT NULL REFERENCES org (id),
    setting TEXT NOT NULL,
    in_map BIGINT NOT NULL CHECK (in_map IN (0, 1)),
    import_id BIGINT NOT NULL,
    CONSTRAINT cost_centre_org_code UNIQUE (org_id, code)
);

CREATE INDEX cost_centre_node ON cost_centre (node_id);

-- establishment: budgeted WTE and money per cost centre, NHS Digital staff
-- group and grade band, by month.  A re-import replaces the rows of the
-- organisations and months it holds.
CREATE TABLE establishment (
    org_id BIGINT NOT NULL,
    cost_centre_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    staff_group TEXT NOT NULL,
    grade TEXT NOT NULL,
    budget_wte DOUBLE PRECISION NOT NULL CHECK (budget_wte >= 0),
    budget_pence BIGINT NOT NULL CHECK (budget_pence >= 0),
    import_id BIGINT NOT NULL,
    PRIMARY KEY (cost_centre_id, month, staff_group, grade)
);

CREATE INDEX establishment_org_month ON establishment (org_id, month);

-- temporary_staffing: hours, shifts and spend outside substantive
-- contracts.  framework is 'on' or 'off' for agency and '' (not
-- applicable) for the other types, so that it can be part of the key.
CREATE TABLE temporary_staffing (
    org_id BIGINT NOT NULL,
    cost_centre_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    staff_group TEXT NOT NULL,
    grade TEXT NOT NULL,
    staffing_type TEXT NOT NULL CHECK (staffing_type = 'bank' OR staffing_type = 'agency' OR
        staffing_type = 'overtime' OR staffing_type = 'locum'),
    framework TEXT NOT NULL CHECK (framework = 'on' OR framework = 'off' OR framework = ''),
    hours DOUBLE PRECISION NOT NULL CHECK (hours >= 0),
    shifts BIGINT NOT NULL CHECK (shifts >= 0),
    spend_pence BIGINT NOT NULL CHECK (spend_pence >= 0),
    import_id BIGINT NOT NULL,
    PRIMARY KEY (cost_centre_id, month, staff_group, grade, staffing_type, framework)
);

CREATE INDEX temporary_staffing_org_month ON temporary_staffing (org_id, month);

-- org_stats_establishment and org_stats_temporary: the sums for every node
-- of the hierarchy (its subtree as it stood that month), recomputed by the
-- imports for the months they touch.  staff_group 'TOTAL' is every group.
CREATE TABLE org_stats_establishment (
    node_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    staff_group TEXT NOT NULL,
    budget_wte DOUBLE PRECISION NOT NULL,
    budget_pence BIGINT NOT NULL,
    PRIMARY KEY (node_id, month, staff_group)
);

CREATE TABLE org_stats_temporary (
    node_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    staff_group TEXT NOT NULL,
    staffing_type TEXT NOT NULL,
    framework TEXT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    shifts BIGINT NOT NULL,
    spend_pence BIGINT NOT NULL,
    PRIMARY KEY (node_id, month, staff_group, staffing_type, framework)
);
