/** @type {import('jest').Config} */
module.exports = {
  displayName: 'registration',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
