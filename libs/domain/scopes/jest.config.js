/** @type {import('jest').Config} */
module.exports = {
  displayName: 'domain-scopes',
  preset: '../../../jest.preset.js',
  rootDir: __dirname,
};
