/** Route metadata read by the global AccessGuard and AuditInterceptor. */
import { SetMetadata } from '@nestjs/common';
import type { Scope } from './scopes.js';

export const REQUIRED_SCOPE = 'labloop:requiredScope';
export const READ_ONLY_CALL = 'labloop:readOnlyCall';

/** The scope a state-changing route needs (default `operate`). */
export const RequireScope = (scope: Scope): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPE, scope);

/**
 * A POST that changes nothing (e.g. validating a posted file): it follows the read policy and is not audited.
 * Every use must be listed in the route-enumeration test's allowlist.
 */
export const ReadOnlyCall = (): MethodDecorator => SetMetadata(READ_ONLY_CALL, true);

export const NEVER_RATE_LIMITED = 'labloop:neverRateLimited';

/**
 * A safety call that must never be turned away by the rate limit (the emergency stop): it still needs its token
 * and is still audited. Every use must be a stop, never a way to act on an instrument.
 */
export const NeverRateLimited = (): MethodDecorator => SetMetadata(NEVER_RATE_LIMITED, true);
