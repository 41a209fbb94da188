import { CLIENT_ACTIONS, type ClientAction } from './client-action';
import {
  ActorRole,
  CLIENT_CHANGED_EVENT_TYPE,
  ClientType,
  MAX_CLIENT_VERSION,
  RegistrationKind,
  type ClientChange,
  type ClientChangeActor,
  type ClientChangedEventV1,
  type ClientSnapshot,
} from './client-changed.event';
import { readPublicJwks, jwksUriProblem } from './client-keys';
import { CLIENT_STATUSES } from './client-status';
import { DATA_ACCESS_TYPES } from './data-access-type';
import { decodeJson, FieldReader, UUID, type EventIssue, type EventRejection } from './field-reader';

export type ClientChangedEventParseResult =
  | { readonly ok: true; readonly event: ClientChangedEventV1 }
  | { readonly ok: false; readonly rejection: EventRejection };

/**
 * Decodes a Kafka message value. Consumers read bytes anyone with topic access could have
 * written, so nothing is trusted before it has been checked.
 */
export function decodeClientChangedEvent(bytes: Uint8Array | string): ClientChangedEventParseResult {
  const decoded = decodeJson(bytes);
  return decoded.ok ? parseClientChangedEvent(decoded.value) : decoded;
}

/**
 * Checks an already-parsed JSON value against {@link ClientChangedEventV1}, reporting every
 * problem rather than the first. Unknown fields are dropped, so that producers may add
 * optional fields within v1 without breaking older consumers.
 */
export function parseClientChangedEvent(value: unknown): ClientChangedEventParseResult {
  const issues: EventIssue[] = [];
  const root = FieldReader.of(value, '$', issues);
  if (root === undefined) {
    return { ok: false, rejection: { code: 'invalid_event', issues } };
  }

  root.literal('type', CLIENT_CHANGED_EVENT_TYPE);
  root.literal('version', 1);
  const event: ClientChangedEventV1 = {
    type: CLIENT_CHANGED_EVENT_TYPE,
    version: 1,
    eventId: root.matching('eventId', UUID, 'a UUID'),
    occurredAt: root.instant('occurredAt'),
    clientId: root.text('clientId'),
    registrationId: root.text('registrationId'),
    kind: root.oneOf('kind', Object.values(RegistrationKind)),
    status: root.oneOf('status', CLIENT_STATUSES),
    previousStatus: root.nullableOneOf('previousStatus', CLIENT_STATUSES),
    clientVersion: root.positiveInteger('clientVersion', MAX_CLIENT_VERSION),
    change: readChange(root.child('change')),
    client: readClient(root.child('client')),
  };
  const notBefore = root.optionalInstant('notBefore');
  if (notBefore !== undefined) Object.assign(event, { notBefore });

  return issues.length === 0 ? { ok: true, event } : { ok: false, rejection: { code: 'invalid_event', issues } };
}

function readChange(reader: FieldReader | undefined): ClientChange {
  if (reader === undefined) {
    return {};
  }
  const action = reader.optionalOneOf<ClientAction>('action', CLIENT_ACTIONS);
  const reason = reader.optionalString('reason');
  const actor = readActor(reader.optionalChild('actor'));
  return {
    ...(action !== undefined && { action }),
    ...(reason !== undefined && { reason }),
    ...(actor !== undefined && { actor }),
  };
}

function readActor(reader: FieldReader | undefined): ClientChangeActor | undefined {
  if (reader === undefined) {
    return undefined;
  }
  return { role: reader.oneOf('role', Object.values(ActorRole)), id: reader.text('id') };
}

function readClient(reader: FieldReader | undefined): ClientSnapshot {
  if (reader === undefined) {
    return PLACEHOLDER_CLIENT;
  }
  const snapshot: ClientSnapshot = {
    name: reader.text('name'),
    clientType: reader.oneOf('clientType', Object.values(ClientType)),
    redirectUris: reader.textArray('redirectUris'),
    sealedSecretHash: reader.nullableText('sealedSecretHash'),
    allowedScopes: reader.textArray('allowedScopes'),
    system: reader.boolean('system'),
  };
  // The authorization server relies on these; a snapshot breaking them would let a client
  // authenticate in a way its registration never allowed.
  if (snapshot.clientType === ClientType.Public && snapshot.sealedSecretHash !== null) {
    reader.report('sealedSecretHash', 'must be null for a public client');
  } else if (snapshot.sealedSecretHash !== null && snapshot.sealedSecretHash !== '' && !SEALED.test(snapshot.sealedSecretHash)) {
    // A plain hash on the topic would let any reader test guessed secrets offline.
    reader.report('sealedSecretHash', 'must be a compact JWE (dir), never a plain hash');
  }
  if (snapshot.system && snapshot.clientType !== ClientType.Confidential) {
    reader.report('system', 'only a confidential client may use client_credentials');
  }

  const optional = Object.fromEntries(
    OPTIONAL_CLIENT_FIELDS.map((key) => [key, reader.optionalString(key)] as const).filter(
      ([, text]) => text !== undefined,
    ),
  );
  const dataAccessType = reader.optionalOneOf('dataAccessType', DATA_ACCESS_TYPES);
  return { ...snapshot, ...optional, ...readClientKeys(reader, snapshot), ...(dataAccessType !== undefined && { dataAccessType }) };
}

/**
 * Keys are checked with the rule registration applies, so a forged snapshot cannot slip in a
 * private or weak key. Whether loopback http is acceptable is the registration's profile to
 * decide; the authorization server fetches whatever https or loopback URL it was given.
 */
function readClientKeys(reader: FieldReader, snapshot: ClientSnapshot): Pick<ClientSnapshot, 'jwks' | 'jwksUri'> {
  const raw = reader.optionalValue('jwks');
  const jwksUri = reader.optionalString('jwksUri');
  const keys: { jwks?: ClientSnapshot['jwks']; jwksUri?: string } = {};
  if (raw !== undefined) {
    const read = readPublicJwks(raw, 'jwks');
    if (read.ok) keys.jwks = read.jwks;
    else reader.report('jwks', read.problems.join('; '));
  }
  if (jwksUri !== undefined) {
    const problem = jwksUriProblem(jwksUri, true);
    if (problem) reader.report('jwksUri', problem);
    else keys.jwksUri = jwksUri;
  }
  if (raw !== undefined && jwksUri !== undefined) reader.report('jwks', 'and jwksUri are exclusive');
  if ((raw !== undefined || jwksUri !== undefined) && snapshot.clientType !== ClientType.Confidential) {
    reader.report('jwks', 'only a confidential client authenticates with keys');
  }
  return keys;
}

/** A compact JWE with direct encryption: protected header, empty key, IV, ciphertext, tag. */
const SEALED = /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const OPTIONAL_CLIENT_FIELDS = ['logoUri', 'policyUri', 'tosUri', 'companyName', 'contactEmail'] as const;

const PLACEHOLDER_CLIENT: ClientSnapshot = {
  name: '',
  clientType: ClientType.Confidential,
  redirectUris: [],
  sealedSecretHash: null,
  allowedScopes: [],
  system: false,
};
