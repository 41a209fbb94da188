/** @type {import('jest').Config} */
module.exports = {
  displayName: 'fuzz',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
