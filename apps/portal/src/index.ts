export { PortalConfig } from './portal.config';
export { PortalServer, startPortal, type RunningPortal } from './server/portal-server';
