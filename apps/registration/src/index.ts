export { RegistrationConfig } from './registration.config';
export { createRegistrationApp, startRegistrationService, registrationDescriptor } from './registration.service-app';
