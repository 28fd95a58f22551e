-- The decision log: one row per request to /v1/chat/completions or /v1/route.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
CREATE TABLE requests (
  request_id TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL,
  day TEXT NOT NULL,
  key_id TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  requested_model TEXT NOT NULL,
  policy TEXT NOT NULL,
  mu DOUBLE PRECISION,
  prompt_sha256 TEXT,
  prompt TEXT,
  stream INTEGER NOT NULL,
  decision_json TEXT,
  chosen_model TEXT,
  answered_model TEXT,
  completion_id TEXT,
  input_tokens DOUBLE PRECISION,
  predicted_quality DOUBLE PRECISION,
  predicted_output_tokens DOUBLE PRECISION,
  predicted_cost_usd DOUBLE PRECISION,
  actual_input_tokens BIGINT,
  actual_output_tokens BIGINT,
  actual_cost_usd DOUBLE PRECISION,
  charged_usd DOUBLE PRECISION NOT NULL,
  price_input_per_mtok DOUBLE PRECISION,
  price_output_per_mtok DOUBLE PRECISION,
  router_ms DOUBLE PRECISION,
  upstream_ms DOUBLE PRECISION,
  total_ms DOUBLE PRECISION NOT NULL,
  status INTEGER NOT NULL,
  error TEXT,
  fallbacks INTEGER NOT NULL,
  attempts_json TEXT
);
CREATE INDEX requests_day_key ON requests (day, key_id);
CREATE INDEX requests_completion_id ON requests (completion_id);
CREATE TABLE feedback (
  request_id TEXT PRIMARY KEY,
  score DOUBLE PRECISION NOT NULL,
  created_at BIGINT NOT NULL
);
