import { hash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Single use of client assertion `jti`s (RFC 7523 §3, SMART Backend Services), atomic under
 * concurrency and across restarts: the provider's own check reads and then writes, so two
 * requests racing with one assertion could both pass it. One INSERT decides instead; the row
 * lives in `oidc_payload` until the assertion has expired (then the signature check refuses it).
 */
export function assertionReplayCheck(dataSource: DataSource): (iss: string, jti: string, exp: number) => Promise<boolean> {
  return async (iss, jti, exp) => {
    // The same identifier the provider derives, so its other uses of ReplayDetection agree.
    const id = hash('sha256', `${iss}${jti}`, 'base64url');
    const rows: unknown[] = await dataSource.query(
      `INSERT INTO oidc_payload (kind, id, payload, expires_at) VALUES ('ReplayDetection', $1, $2, to_timestamp($3))
       ON CONFLICT (kind, id) DO NOTHING RETURNING id`,
      [id, { jti: id, iss, kind: 'ReplayDetection', exp }, exp],
    );
    return rows.length === 1;
  };
}
