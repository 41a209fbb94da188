import { safeNext } from './portal-server';

describe('safeNext', () => {
  it('keeps paths of the portal only', () => {
    expect(safeNext('/registrations/0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11')).toBe('/registrations/0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11');
    for (const hostile of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/x\r\nSet-Cookie: a=b', '/\u0000', '', null, undefined]) {
      expect(safeNext(hostile)).toBeUndefined();
    }
  });
});
