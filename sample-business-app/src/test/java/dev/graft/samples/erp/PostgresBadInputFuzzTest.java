package dev.graft.samples.erp;

/** {@link BadInputFuzzTest} on a real PostgreSQL server: no 5xx, problem details only, nothing written. */
@PostgresProfile
class PostgresBadInputFuzzTest extends BadInputFuzzTest {
}
