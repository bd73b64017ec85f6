-- 0220 org_ancestor by node (docs/web.md, Benchmark): the scope check "is
-- this node below that one in any month" (org_within_any) and a node's
-- chain in a month (org_chain) both know the node, not the month's
-- subtree.  With only the key (month, ancestor_id, node_id) the first
-- scanned every row (3.6 million nationally, 190 ms a page) and the second
-- the month's 110,000; this index makes both a seek.  It costs about five
-- seconds when the national hierarchy is rebuilt.
CREATE INDEX org_ancestor_node ON org_ancestor (node_id, ancestor_id, month);
