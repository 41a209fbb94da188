import { fieldErrors } from './field-errors';

describe('fieldErrors', () => {
  const fields = ['name', 'redirectUris', 'attestations', 'attestations.sellsMemberData'];

  it('puts each message next to the most specific field it names, list items with their list', () => {
    const errors = fieldErrors(
      ['redirectUris.1 must not contain a fragment (#)', 'attestations.sellsMemberData must be a boolean value', 'name must be longer than or equal to 1 characters'],
      fields,
    );
    expect(errors.byField.get('redirectUris')).toEqual(['redirectUris.1 must not contain a fragment (#)']);
    expect(errors.byField.get('attestations.sellsMemberData')).toEqual(['attestations.sellsMemberData must be a boolean value']);
    expect(errors.byField.get('attestations')).toBeUndefined();
    expect(errors.byField.get('name')).toHaveLength(1);
    expect(errors.general).toEqual([]);
  });

  it('keeps messages that name no field, and ignores what is not a message', () => {
    const errors = fieldErrors(['names must be unique', 42, 'property evil should not exist'], fields);
    expect(errors.general).toEqual(['names must be unique', 'property evil should not exist']);
    expect(fieldErrors('The email already has an account', fields).general).toEqual(['The email already has an account']);
    expect(fieldErrors(undefined, fields).general).toEqual([]);
  });
});
