export { RegistrationConfig } from './registration.config';
export { createRegistrationApp, startRegistrationService, registrationDescriptor } from './registration.service-app';
export { SANDBOX_CLIENT, SAMPLE_APP_CLIENT } from './sandbox/sandbox-seed.service';
