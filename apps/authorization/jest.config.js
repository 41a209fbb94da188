/** @type {import('jest').Config} */
module.exports = {
  displayName: 'authorization',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
