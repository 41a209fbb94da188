import { createHash } from 'node:crypto';
import type { Pool, QueryResult, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/** Distinct statements kept prepared on each connection; further shapes are planned every time. */
const MAX_PREPARED = 256;

/**
 * Runs a service's hot queries as named prepared statements on the connection pool, so PostgreSQL
 * parses and plans each statement shape once per connection instead of on every request, and the
 * query skips TypeORM's query runner. Shapes may depend on the request, so only the first
 * {@link MAX_PREPARED} distinct texts get names: a connection's prepared statements stay bounded
 * whatever clients send. https://www.postgresql.org/docs/current/sql-prepare.html
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>();

  /** `prefix` starts every statement name (`<prefix>_<hash>`), naming the service in `pg_prepared_statements`. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly prefix: string,
  ) {}

  async query<T extends QueryResultRow>(text: string, values: readonly unknown[]): Promise<T[]> {
    return (await this.run<T>(text, values)).rows;
  }

  /** The whole result: `rowCount` too, for updates and deletes. */
  run<T extends QueryResultRow>(text: string, values: readonly unknown[]): Promise<QueryResult<T>> {
    return pgPoolOf(this.dataSource).query<T>({ name: this.nameOf(text), text, values: [...values] });
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_PREPARED) {
      name = `${this.prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/** TypeORM's pg pool for this data source (its `master` pool; there are no replicas), for what TypeORM cannot do: named statements, COPY. */
export function pgPoolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
