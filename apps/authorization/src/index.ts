export { AuthorizationConfig } from './authorization.config';
export { createAuthorizationApp, startAuthorizationService, authorizationDescriptor } from './authorization.service-app';
