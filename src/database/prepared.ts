import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * Runs a named prepared statement, which PostgreSQL parses and plans once per connection
 * instead of on every call. For the few statements every request runs (session check, audit
 * append); inside a transaction it uses the transaction's connection.
 */
export async function prepared<R extends QueryResultRow>(
  target: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const runner = target.queryRunner;
  const client: Pool | PoolClient = runner
    ? ((await runner.connect()) as PoolClient)
    : ((target.connection as DataSource).driver as PostgresDriver).master;
  return (await client.query<R>({ name, text, values })).rows;
}
