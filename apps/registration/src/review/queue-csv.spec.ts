import type { ReviewQueueItemDto } from './dto/review.dto';
import { queueCsv } from './queue-csv';

const item = (overrides: Partial<ReviewQueueItemDto> = {}): ReviewQueueItemDto => ({
  id: '0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11',
  kind: 'application',
  status: 'pending',
  name: 'Acme Health Record',
  companyName: 'Acme Health Apps, Inc.',
  submittedAt: '2026-11-23T14:00:00.000Z',
  ageDays: 8,
  reviewClock: { startedAt: '2026-11-23T14:00:00.000Z', businessDaysWaiting: 6, limit: 10, overdue: false },
  overdue: false,
  informationRequestedAt: null,
  reviewRequestedAt: null,
  changeRequestedAt: null,
  ...overrides,
}) as ReviewQueueItemDto;

describe(queueCsv.name, () => {
  it('writes a header and one CRLF-ended row per registration, quoting what needs quoting', () => {
    const csv = queueCsv([item(), item({ kind: 'payer', name: 'Carolina "Mutual", Inc.\nNorth', reviewClock: null, overdue: true, reviewRequestedAt: '2026-11-30T10:00:00.000Z' })]);
    expect(csv).toBe(
      'id,kind,status,name,company,submitted_at,age_days,business_days_waiting,overdue,information_requested_at,review_requested_at,change_requested_at\r\n' +
        '0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11,application,pending,Acme Health Record,"Acme Health Apps, Inc.",2026-11-23T14:00:00.000Z,8,6,false,,,\r\n' +
        '0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11,payer,pending,"Carolina ""Mutual"", Inc.\nNorth","Acme Health Apps, Inc.",2026-11-23T14:00:00.000Z,8,,true,,2026-11-30T10:00:00.000Z,\r\n',
    );
  });

  it.each(['=HYPERLINK("https://evil.example")', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'])('escapes the formula %j so that a spreadsheet shows it as text', (name) => {
    const [, row] = queueCsv([item({ name, companyName: 'Plain' })]).split(/\r\n(?=0b5f)/);
    const cell = row.split(',Plain,')[0].split('pending,')[1];
    // The cell starts with an apostrophe, inside quotes when the text needs them.
    expect(cell.replace(/^"/, '').startsWith(`'${name.charAt(0)}`)).toBe(true);
  });

  it('leaves a negative number a number', () => {
    expect(queueCsv([item({ ageDays: -1 })])).toContain(',-1,');
  });
});
