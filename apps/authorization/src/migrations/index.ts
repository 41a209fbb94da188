/** The authorization schema's migrations, oldest first. */
export const AUTHORIZATION_MIGRATIONS: (new () => object)[] = [];
