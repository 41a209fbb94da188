/** The registration schema's migrations, oldest first. */
export const REGISTRATION_MIGRATIONS: (new () => object)[] = [];
