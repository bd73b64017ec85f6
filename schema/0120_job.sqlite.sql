-- Jobs: anything slower than ~50 ms runs as a job (DESIGN.md, Concurrency
-- and jobs).  A worker claims a queued job by taking its lease (lease_owner,
-- lease_expires_us), renews it with heartbeats that also record progress,
-- and commits its last work together with the finish.  A job whose lease
-- ran out before it finished is marked interrupted by the reaper; its
-- uncommitted work has already rolled back with the worker's connection.
-- Times are microseconds UTC.  The two twins differ only in how id is
-- assigned.
-- SQLite twin: id is the rowid, assigned on insert.
CREATE TABLE job (
    id INTEGER NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('queued', 'running', 'done', 'failed', 'interrupted')),
    progress_done BIGINT NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
    progress_total BIGINT NOT NULL DEFAULT 0 CHECK (progress_total >= 0),
    message TEXT NOT NULL DEFAULT '',
    created_us BIGINT NOT NULL,
    started_us BIGINT,
    finished_us BIGINT,
    lease_owner TEXT,
    lease_expires_us BIGINT,
    heartbeat_us BIGINT
);

CREATE INDEX job_state ON job (state, id);
