/** Injection token of the validated AuthorizationConfig. */
export const AUTHORIZATION_CONFIG = Symbol('AuthorizationConfig');
