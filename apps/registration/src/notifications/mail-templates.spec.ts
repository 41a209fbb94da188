import { approvalMail, informationRequestMail, type MailContext, suspensionMail, terminationMail } from './mail-templates';

const context: MailContext = {
  registrationId: '0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11',
  kind: 'application',
  name: 'Acme Health Record',
  clientId: 'AbCdEfGhIjKlMnOpQrSt',
  reason: 'All requirements met.',
  portalUrl: 'https://registration.plan.example',
  authorizationUrl: 'https://auth.plan.example',
  fhirBaseUrl: 'https://api.plan.example/fhir/sb/R4/patientaccess',
};

describe('mail templates', () => {
  it('tells an approved registrant how to obtain credentials and tokens, without any secret', () => {
    const mail = approvalMail('dev@acme.example', context);
    expect(mail).toMatchObject({ to: 'dev@acme.example', subject: 'Approved: Acme Health Record' });
    expect(mail.text).toContain('GET /v1/registrations/0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11/credentials');
    expect(mail.text).toContain('AbCdEfGhIjKlMnOpQrSt');
    expect(mail.text).toContain('https://auth.plan.example/.well-known/openid-configuration');
    expect(mail.text).toContain('https://api.plan.example/fhir/sb/R4/patientaccess');
    expect(mail.text).toContain('Note from the reviewer: All requirements met.');
    expect(mail.text).not.toMatch(/secret:/i);
  });

  it('names the payer registration as such', () => {
    expect(approvalMail('docs@payer.example', { ...context, kind: 'payer' }).text).toContain('payer registration');
  });

  it('carries the reviewer’s question and where to answer it', () => {
    const mail = informationRequestMail('dev@acme.example', { ...context, reason: 'Which section covers data sales?' });
    expect(mail.text).toContain('Which section covers data sales?');
    expect(mail.text).toContain('PATCH /v1/registrations/0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11');
  });

  it('explains a suspension can be reviewed and a termination means registering again', () => {
    expect(suspensionMail('dev@acme.example', context).text).toContain('/review-requests');
    expect(terminationMail('dev@acme.example', context).text).toContain('register again');
  });

  it('links to the registration\'s portal page when a portal is deployed, instead of naming API routes', () => {
    const portal = { ...context, portalPageUrl: 'https://portal.plan.example/registrations/0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11' };
    const approval = approvalMail('dev@acme.example', portal).text;
    expect(approval).toContain('open https://portal.plan.example/registrations/0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11');
    expect(approval).not.toContain('GET /v1/');
    expect(informationRequestMail('dev@acme.example', portal).text).toContain('https://portal.plan.example/registrations/');
    expect(suspensionMail('dev@acme.example', portal).text).not.toContain('/review-requests');
  });
});
