import { historyLabel, statusMeaning } from './status-meaning';

describe('status meanings', () => {
  it('explains every status for both kinds, and a termination means registering again', () => {
    for (const kind of ['application', 'payer']) {
      for (const status of ['pending', 'approved', 'suspended', 'terminated']) expect(statusMeaning(kind, status)).not.toBe('');
      expect(statusMeaning(kind, 'terminated')).toMatch(/re-register/);
    }
    expect(statusMeaning('payer', 'approved')).toContain('payer');
    expect(statusMeaning('application', 'unknown')).toBe('');
  });

  it('names history actions in plain words, and shows unknown ones as they are', () => {
    expect(historyLabel('request_information')).toBe('More information requested');
    expect(historyLabel('something_new')).toBe('something_new');
  });
});
