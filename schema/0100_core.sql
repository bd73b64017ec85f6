-- 0100 core: deployment-wide settings as key/value pairs.
-- Later areas add their own tables in their own number ranges
-- (docs/store.md).  Types follow the store's vocabulary: BIGINT for whole
-- numbers, DOUBLE PRECISION for fractions, TEXT for text and dates; every
-- primary key column NOT NULL.
CREATE TABLE settings (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
