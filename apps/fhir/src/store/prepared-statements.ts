import { PreparedStatements as SharedPreparedStatements } from '@payer-access/database';
import type { DataSource } from 'typeorm';

export { pgPoolOf } from '@payer-access/database';

/** The store's hot queries (reads and search pages) as named prepared statements, named `fhir_…`. */
export class PreparedStatements extends SharedPreparedStatements {
  constructor(dataSource: DataSource) {
    super(dataSource, 'fhir');
  }
}
