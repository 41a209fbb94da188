/** @type {import('jest').Config} */
module.exports = {
  displayName: 'domain-fhir-models',
  preset: '../../../jest.preset.js',
  rootDir: __dirname,
};
