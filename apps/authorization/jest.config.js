/** @type {import('jest').Config} */
module.exports = {
  displayName: 'authorization',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // oidc-provider, jose and openid-client are ESM-only; Jest loads them through the SWC transform.
  transformIgnorePatterns: ['/node_modules/(?!(oidc-provider|jose|openid-client|oauth4webapi)/)'],
  testTimeout: 30000,
};
