export { createTestDatabase, testServerUrl, type TestDatabase } from './postgres';
