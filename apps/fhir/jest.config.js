/** @type {import('jest').Config} */
module.exports = {
  displayName: 'fhir',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
