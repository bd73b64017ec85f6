-- 0200 organisations: the dated NHS hierarchy (docs/organisations.md).
--
-- org: one node per code, with a surrogate id assigned by the domain
-- (MAX(id) + 1 inside the loading transaction), so ids stay stable across
-- reloads.  kind is Cadre's vocabulary; org_type is the publication's own
-- word when one said it ("Acute", "Commissioning Support Unit").  Dates are
-- 'YYYY-MM-DD' or NULL.  source names what created the node.
CREATE TABLE org (
    id BIGINT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('nation', 'region', 'icb', 'trust', 'provider',
        'csu', 'body', 'ccg', 'site', 'division', 'cost_centre', 'ward', 'team',
        'gp_practice', 'pcn', 'social_care', 'other')),
    name TEXT NOT NULL,
    org_type TEXT,
    postcode TEXT,
    open_date TEXT,
    close_date TEXT,
    source TEXT NOT NULL
);

-- org_edge: what a source said about a node's parent.  An edge observed in
-- a month holds from that month until a later observation of the same
-- child says otherwise (docs/organisations.md, "Rules").  kind:
--   snapshot:  a reference extract observed at from_month (to_month NULL);
--   published: a published file's own months (from_month = to_month), which
--              outrank a snapshot for those months.
-- source: the file or publication ("data/ods/trusts.csv", "sickness").
CREATE TABLE org_edge (
    child_id BIGINT NOT NULL REFERENCES org (id),
    parent_id BIGINT NOT NULL REFERENCES org (id),
    kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'published')),
    from_month BIGINT NOT NULL CHECK (from_month BETWEEN 100001 AND 999912),
    to_month BIGINT CHECK (to_month IS NULL OR to_month >= from_month),
    source TEXT NOT NULL,
    CHECK (child_id <> parent_id),
    PRIMARY KEY (child_id, source, from_month)
);

CREATE INDEX org_edge_source ON org_edge (source, from_month);

-- org_ancestor: for every month of the materialised range, every node and
-- each of its ancestors, itself included at depth 0.  Rebuilt from org and
-- org_edge after each load; every roll-up and scope check joins it.
-- The key (month, ancestor_id, node_id) serves the roll-ups (a subtree in a
-- month) and scope checks; a node's chain in a month reads the month's
-- few thousand rows, which is cheap, so no second index slows the rebuild.
-- flags: 1 = the path relies on an earliest-known edge (the month is before
-- every edge the child has); 2 = the node had no known parent that month and
-- counts only in England's total (the row's ancestor is then ENG).
CREATE TABLE org_ancestor (
    month BIGINT NOT NULL,
    node_id BIGINT NOT NULL,
    ancestor_id BIGINT NOT NULL,
    depth BIGINT NOT NULL CHECK (depth >= 0),
    flags BIGINT NOT NULL CHECK (flags BETWEEN 0 AND 3),
    PRIMARY KEY (month, ancestor_id, node_id)
);

-- org_hierarchy: the one row describing the materialised range.  A month
-- before first_month has first_month's hierarchy (all earliest-known
-- edges); a month after last_month has last_month's.
CREATE TABLE org_hierarchy (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    first_month BIGINT NOT NULL,
    last_month BIGINT NOT NULL,
    nodes BIGINT NOT NULL,
    ancestor_rows BIGINT NOT NULL,
    rebuilt_us BIGINT NOT NULL
);
