export { ClientStatus, CLIENT_STATUSES, isClientStatus, isActive, revokesAccess } from './client-status';
export { ClientAction, CLIENT_ACTIONS, isClientAction } from './client-action';
export {
  applyTransition,
  canTransition,
  allowedActions,
  canReach,
  checkSuccession,
  type HeldClient,
  type ClientSuccessor,
  type SuccessionResult,
  type Transition,
  type TransitionRefusal,
  type TransitionResult,
} from './transitions';
export {
  CLIENT_CHANGED_TOPIC,
  CLIENT_CHANGED_EVENT_TYPE,
  RegistrationKind,
  ClientType,
  ActorRole,
  MAX_CLIENT_VERSION,
  supersedes,
  type ClientChangeActor,
  type ClientChange,
  type ClientSnapshot,
  type ClientChangedEventV1,
} from './client-changed.event';
export {
  createClientChangedEvent,
  InvalidClientChangedEventError,
  type ClientChangedEventInput,
} from './client-changed.builder';
export {
  parseClientChangedEvent,
  decodeClientChangedEvent,
  type ClientChangedEventParseResult,
} from './client-changed.parser';
export type { EventIssue, EventRejection } from './field-reader';
export { issuesText } from './field-reader';
export {
  GRANT_REVOKED_TOPIC,
  GRANT_REVOKED_EVENT_TYPE,
  GRANT_REVOCATION_REASONS,
  type GrantRevocationReason,
  type GrantRevokedEventV1,
} from './grant-revoked.event';
export { decodeGrantRevokedEvent, parseGrantRevokedEvent, type GrantRevokedEventParseResult } from './grant-revoked.parser';
export {
  CLIENT_ASSERTION_ALGS,
  MAX_CLIENT_KEYS,
  MAX_JWKS_BYTES,
  readPublicJwks,
  jwksUriProblem,
  type PublicJwk,
  type PublicJwks,
  type PublicJwksResult,
} from './client-keys';
export {
  DATA_ACCESS_TYPES,
  DEFAULT_DATA_ACCESS_TYPE,
  THIRTEEN_MONTHS,
  addCalendarMonths,
  isDataAccessType,
  refreshableUntil,
  type DataAccessType,
} from './data-access-type';
export {
  REPRESENTATIVE_RECORDED_TOPIC,
  REPRESENTATIVE_RECORDED_EVENT_TYPE,
  REPRESENTATIVE_RELATIONSHIPS,
  MAX_REPRESENTATIVE_TEXT,
  type RepresentativeRelationship,
  type RepresentativeRecordedEventV1,
} from './representative-recorded.event';
export { parseRepresentativeRecordedEvent, isRepresentativeText, type RepresentativeRecordedEventParseResult } from './representative-recorded.parser';
export { issuedBeforeNotBefore, laterNotBefore, type ClientNotBefore } from './not-before';
export {
  CLIENT_STATUS_HEARTBEAT_KEY,
  CLIENT_STATUS_HEARTBEAT_TYPE,
  ClientStatusFreshness,
  createClientStatusHeartbeat,
  parseClientStatusHeartbeat,
  type ClientStatusHeartbeatParseResult,
  type ClientStatusHeartbeatV1,
} from './client-status-heartbeat';
