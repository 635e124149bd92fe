import { Initial1764201600000 } from './0001-initial.migration.js';
import { ApiTokens1767225600000 } from './0002-api-tokens.migration.js';

/** Every migration in order, registered as a class array. */
export const MIGRATIONS = [Initial1764201600000, ApiTokens1767225600000];
