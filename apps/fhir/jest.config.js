/** @type {import('jest').Config} */
module.exports = {
  displayName: 'fhir',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // jose is ESM-only; Jest loads it through the SWC transform.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
};
