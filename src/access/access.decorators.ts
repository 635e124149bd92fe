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
