/** @type {import('jest').Config} */
module.exports = {
  displayName: 'sample-smart-app',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
