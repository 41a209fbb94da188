// oidc-provider ships no types; projects that compile this service through its index get the declarations too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient module declaration cannot be imported
/// <reference path="./oidc/oidc-provider.d.ts" />
export { AuthorizationConfig } from './authorization.config';
export { createAuthorizationApp, startAuthorizationService, authorizationDescriptor, type AuthorizationAppOptions } from './authorization.service-app';
export { OIDC_OPENAPI_EXAMPLES } from './oidc/oidc-openapi';
