import { parseAuditEventSearch, toAuditEvent } from './audit-event.search';

const parse = (query: string) => parseAuditEventSearch(new URLSearchParams(query));
const bounds = (query: string) => {
  const parsed = parse(query);
  if (!parsed.ok) throw new Error(`refused: ${JSON.stringify(parsed.outcome)}`);
  return parsed.criteria.dates.map((date) => `${date.op}${date.at.toISOString()}`);
};

describe(parseAuditEventSearch.name, () => {
  it('reads patient (id or reference), agent and paging', () => {
    expect(parse('patient=Patient/-20140000000024&agent=app-1&_count=900&startIndex=20')).toEqual({
      ok: true,
      criteria: { patient: '-20140000000024', agent: 'app-1', dates: [], count: 500, offset: 20 },
    });
  });

  it('turns each date prefix and precision into bounds on the instant', () => {
    expect(bounds('date=2026-12-01')).toEqual(['>=2026-12-01T00:00:00.000Z', '<2026-12-02T00:00:00.000Z']);
    expect(bounds('date=gt2026-12')).toEqual(['>=2027-01-01T00:00:00.000Z']);
    expect(bounds('date=le2026')).toEqual(['<2027-01-01T00:00:00.000Z']);
    expect(bounds('date=lt2024-02-29')).toEqual(['<2024-02-29T00:00:00.000Z']);
    expect(bounds('date=ge2026-12-01T08:00:00-05:00&date=lt2026-12-01T09:30Z')).toEqual(['>=2026-12-01T13:00:00.000Z', '<2026-12-01T09:30:00.000Z']);
  });

  it.each(['date=2025-02-29', 'date=2026-04-31', 'date=2026-00-10', 'date=0000-01-01', 'date=2026-12-01T24:00:00Z', 'date=2026-12-01T10:00:00', 'date=sa2026', 'date=2026/12/01', 'date=%00', 'date=२०२६'])(
    'refuses %s with a 400 OperationOutcome',
    (query) => {
      const parsed = parse(query);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.outcome).toMatchObject({ status: 400, outcome: { resourceType: 'OperationOutcome' } });
    },
  );

  it('refuses unknown and repeated parameters, empty and oversized values', () => {
    for (const query of ['subject=x', 'patient=a&patient=b', 'agent=', `agent=${'x'.repeat(300)}`, '_count=1e3', 'startIndex=-1']) expect(parse(query).ok).toBe(false);
  });
});

describe(toAuditEvent.name, () => {
  const row = {
    id: '7',
    occurred_at: new Date('2026-12-01T12:00:00Z'),
    client_id: 'app-1',
    subject: 'member-3',
    patient_id: '-20140000000024',
    representative: true,
    grant_id: 'grant-1',
    interaction: 'search',
    resource_type: 'ExplanationOfBenefit',
    resource_id: null,
    query: 'type=pde',
    status: 200,
    result_count: 10,
    reason: null,
  };

  it('names the app as the requestor, the patient as the subject entity and what was asked, never data', () => {
    expect(toAuditEvent(row, 'http://fhir.example/base')).toMatchObject({
      resourceType: 'AuditEvent',
      id: '7',
      action: 'E',
      recorded: '2026-12-01T12:00:00.000Z',
      outcome: '0',
      agent: [{ who: { identifier: { value: 'app-1' } }, requestor: true }, { type: { text: 'personal representative of the member' }, requestor: false }],
      entity: [{ what: { reference: 'Patient/-20140000000024' } }, { what: { display: 'ExplanationOfBenefit' }, query: Buffer.from('type=pde').toString('base64') }],
    });
  });

  it('marks refusals as minor failures with their reason, and an unknown caller as such', () => {
    const refused = toAuditEvent({ ...row, client_id: null, subject: null, patient_id: null, status: 401, reason: 'An access token is required' }, 'x');
    expect(refused).toMatchObject({ outcome: '4', outcomeDesc: 'An access token is required', agent: [{ who: { display: 'unknown client' } }] });
    expect(refused.agent).toHaveLength(1);
  });
});
