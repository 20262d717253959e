-- Replayable decisions (POST /api/quotes/{id}/replay): what each rule run was given and answered, byte for byte,
-- and what the host answered to the host functions it called. The module itself is kept by its sha256 in the
-- module store (erp.data-dir/modules/sha256/<hex>.wasm), so plugin_sha256 names everything needed to run it again.
-- NULL in rows written before this migration, and for calls that never reached the plugin (disabled, quarantined).
-- Portable between H2 (default) and PostgreSQL (profile "postgres"): H2 reads BYTEA as BINARY VARYING.
ALTER TABLE quote_rule_runs ADD COLUMN input_bytes BYTEA;        -- the exact bytes the host encoded for the call
ALTER TABLE quote_rule_runs ADD COLUMN output_bytes BYTEA;       -- the exact bytes the plugin answered (NULL: no answer)
ALTER TABLE quote_rule_runs ADD COLUMN host_calls VARCHAR;        -- JSON: [{"function", "input", "output", "error"}], bytes base64
