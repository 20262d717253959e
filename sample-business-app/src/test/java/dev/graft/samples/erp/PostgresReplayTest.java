package dev.graft.samples.erp;

/** Every test of {@link ReplayTest} on a real PostgreSQL server: the recorded bytes (BYTEA) and host calls read back exactly. */
@PostgresProfile
class PostgresReplayTest extends ReplayTest {
}
