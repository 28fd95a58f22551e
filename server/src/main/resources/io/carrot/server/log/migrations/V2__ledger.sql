-- Budgets shared by every instance on one database: one row per key and UTC day holding what is
-- committed (settled spend plus the reservations of requests still running), updated atomically
-- with INSERT ... ON CONFLICT DO UPDATE ... RETURNING. Seeded from the requests already logged.
CREATE TABLE spend (
  key_id TEXT NOT NULL,
  day TEXT NOT NULL,
  usd DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (key_id, day)
);
INSERT INTO spend (key_id, day, usd) SELECT key_id, day, SUM(charged_usd) FROM requests GROUP BY key_id, day;
-- What a request delivered when it was charged by delivery, and why an answer failed or ended early.
ALTER TABLE requests ADD COLUMN delivered_output_tokens BIGINT;
ALTER TABLE requests ADD COLUMN failure_reason TEXT;
