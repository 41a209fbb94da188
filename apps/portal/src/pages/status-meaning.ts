import type { RegistrationKind } from './registration-form';

/** What each status means, in the words of seeds 000 (payers) and 001 (applications). */
const MEANINGS: Record<RegistrationKind, Record<string, string>> = {
  application: {
    pending: 'The application request is submitted and being reviewed by the plan.',
    approved: 'The application is approved and is allowed to use the plan’s APIs.',
    suspended:
      'There is an issue with the application’s security and how it is interacting with the plan’s infrastructure. The plan is blocking the application’s access to its APIs.',
    terminated:
      'The plan has determined that the application’s security is an issue. Access has been revoked. To regain access, the application’s owner will have to re-register.',
  },
  payer: {
    pending: 'The payer’s request is submitted and being reviewed by the plan.',
    approved: 'The payer is approved and can use the plan’s APIs.',
    suspended: 'There is an issue with the payer and how it is interacting with the plan’s infrastructure. The plan is blocking the payer’s access to the API.',
    terminated: 'The plan has determined the payer access is a security issue. The payer’s access has been revoked. To regain access the payer will have to re-register.',
  },
};

export function statusMeaning(kind: string, status: string): string {
  return MEANINGS[kind === 'payer' ? 'payer' : 'application'][status] ?? '';
}

const HISTORY_LABELS: Record<string, string> = {
  submitted: 'Submitted',
  updated: 'Answers updated',
  approve: 'Approved',
  suspend: 'Suspended',
  reinstate: 'Reinstated',
  terminate: 'Terminated',
  request_information: 'More information requested',
  review_requested: 'Review requested',
  secret_issued: 'Client secret issued',
  secret_rotated: 'Client secret rotated',
  change_requested: 'Change requested',
  change_approved: 'Change approved',
  change_rejected: 'Change rejected',
};

export function historyLabel(action: string): string {
  return HISTORY_LABELS[action] ?? action;
}

const ROLE_LABELS: Record<string, string> = { admin: 'Plan staff', owner: 'Owner', system: 'System' };

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}
