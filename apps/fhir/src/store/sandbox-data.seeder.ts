import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import type { Resource } from '@medplum/fhirtypes';
import type { FhirConfig } from '../fhir.config';
import { FHIR_CONFIG } from '../fhir.tokens';
import { NdjsonLoader } from '../loader/ndjson-loader';
import { ResourceRepository } from './resource.repository';

/** Supplies the synthetic sandbox data set (tools/synthetic-data), handed in by the sandbox. */
export const SANDBOX_DATA = Symbol('SANDBOX_DATA');
export type SandboxDataSource = () => Iterable<Resource>;

/**
 * `npm start` loads the sandbox data on first start: in the sandbox profile, when the store is
 * empty, before the service takes traffic. A store that has data is left alone.
 */
@Injectable()
export class SandboxDataSeeder implements OnModuleInit {
  private readonly logger = new Logger(SandboxDataSeeder.name);

  constructor(
    @Inject(FHIR_CONFIG) private readonly config: FhirConfig,
    private readonly repository: ResourceRepository,
    private readonly loader: NdjsonLoader,
    @Optional() @Inject(SANDBOX_DATA) private readonly data?: SandboxDataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.data || this.config.PROFILE !== 'sandbox' || this.config.FHIR_LOAD_SANDBOX_DATA !== 'true') return;
    if (!(await this.repository.isEmpty())) return;
    const report = await this.loader.load(this.data());
    this.logger.log(`loaded the sandbox data set: ${report.loaded} resources in ${report.milliseconds} ms (${report.rejected} rejected)`);
  }
}
