-- 0510: the people a manager manages directly are found from
-- assignment.manager_staff_id (policy.c, the "reports" scope of a line
-- manager), one lookup per manager while walking down the tree, so that
-- column needs an index.  The table is the people area's (0300); the
-- index serves the access policy, so it lives in the accounts range.
CREATE INDEX assignment_manager ON assignment (manager_staff_id);
