package dev.graft.samples.erp;

/**
 * {@link BadInputTest} on a real PostgreSQL server, which refuses what H2 stores (a NUL character, a value
 * over a column's precision) with errors of its own: here too the checks answer first, and nothing is written.
 */
@PostgresProfile
class PostgresBadInputTest extends BadInputTest {
}
