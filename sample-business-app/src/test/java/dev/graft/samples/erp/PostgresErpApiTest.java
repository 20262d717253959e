package dev.graft.samples.erp;

/** Every test of {@link ErpApiTest} (quotes, recompute, plugins, problem details) on a real PostgreSQL server. */
@PostgresProfile
class PostgresErpApiTest extends ErpApiTest {
}
