/** @type {import('jest').Config} */
module.exports = {
  displayName: 'portal',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
