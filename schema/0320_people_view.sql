-- 0320 people pages (docs/people.md, "People pages and export"): the staff
-- list walks org_ancestor -> cost_centre -> assignment, and a person's
-- record reads its assignments by staff record, so both columns need an
-- index (without them every page scans the assignment table: millions of
-- rows nationally).
CREATE INDEX assignment_cost_centre ON assignment (cost_centre_id);
CREATE INDEX assignment_staff ON assignment (staff_id);
