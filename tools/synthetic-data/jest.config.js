/** @type {import('jest').Config} */
module.exports = {
  displayName: 'synthetic-data',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
