import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { ReadinessRegistry } from '@payer-access/http';
import { DataSource } from 'typeorm';
import { pingDatabase } from './data-source.factory';

/** Makes the service report not-ready while its database does not answer. */
@Injectable()
export class DatabaseReadiness implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness?.register('database', () => pingDatabase(this.dataSource));
  }
}
