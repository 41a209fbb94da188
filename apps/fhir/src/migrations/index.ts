import { DATABASE_PROFILE_MIGRATIONS } from '@payer-access/database';
import { CreateResourceStore1732370000000 } from './1732370000000-create-resource-store';
import { ResourceContentAsJson1764400000000 } from './1764400000000-resource-content-as-json';
import { AccessAuditRefusals1796100000000 } from './1796100000000-access-audit-refusals';
import { ResourceSecurityLabels1796500000000 } from './1796500000000-resource-security-labels';
import { BulkJobs1796136434618 } from './1796136434618-bulk-jobs';
import { BulkFilesSwept1796146479410 } from './1796146479410-bulk-files-swept';
import { PayerLinks1796600000000 } from './1796600000000-payer-links';
import { OneSensitivityMarker1796636447573 } from './1796636447573-one-sensitivity-marker';

/** The fhir schema's migrations, oldest first. */
export const FHIR_MIGRATIONS: (new () => object)[] = [
  CreateResourceStore1732370000000,
  ResourceContentAsJson1764400000000,
  AccessAuditRefusals1796100000000,
  BulkJobs1796136434618,
  BulkFilesSwept1796146479410,
  ResourceSecurityLabels1796500000000,
  PayerLinks1796600000000,
  OneSensitivityMarker1796636447573,
  ...DATABASE_PROFILE_MIGRATIONS,
];
