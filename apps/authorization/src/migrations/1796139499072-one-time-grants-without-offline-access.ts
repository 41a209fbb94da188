import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The space-separated scope in `expression` without `offline_access`. */
const withoutOfflineAccess = (expression: string) => `array_to_string(array_remove(string_to_array(${expression}, ' '), 'offline_access'), ' ')`;
const HAS_OFFLINE_ACCESS = `'(^| )offline_access( |$)'`;

/**
 * A one-time grant never had offline access (its app gets no refresh token), but grants made
 * before the provider stopped granting it to one-time apps recorded `offline_access` all the
 * same: in the member's consent, which the connected-apps page lists, and in the provider's
 * Grant. Both are made to say what the member actually granted. Nothing to undo: the scope
 * removed was never in force.
 */
export class OneTimeGrantsWithoutOfflineAccess1796139499072 implements MigrationInterface {
  name = 'OneTimeGrantsWithoutOfflineAccess1796139499072';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE oidc_payload AS provider_grant
         SET payload = jsonb_set(provider_grant.payload, '{openid,scope}', to_jsonb(${withoutOfflineAccess(`provider_grant.payload #>> '{openid,scope}'`)}))
        FROM member_grant AS consent
       WHERE provider_grant.kind = 'Grant' AND provider_grant.id = consent.grant_id AND consent.data_access_type = 'one_time'
         AND provider_grant.payload #>> '{openid,scope}' ~ ${HAS_OFFLINE_ACCESS}`);
    await queryRunner.query(`
      UPDATE member_grant SET scope = ${withoutOfflineAccess('scope')}
       WHERE data_access_type = 'one_time' AND scope ~ ${HAS_OFFLINE_ACCESS}`);
  }

  async down(): Promise<void> {
    // The removed scope granted nothing: there is nothing to put back.
  }
}
