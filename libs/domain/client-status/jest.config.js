/** @type {import('jest').Config} */
module.exports = {
  displayName: 'domain-client-status',
  preset: '../../../jest.preset.js',
  rootDir: __dirname,
};
