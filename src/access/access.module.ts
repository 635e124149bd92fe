/**
 * Access control for the HTTP API, global so that it covers routes other modules add: rate limiting first (per
 * client address, writes and reads counted apart), then the token guard, then the audit of state-changing calls.
 */
import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { StoreModule } from '../store/store.module.js';
import { AccessGuard } from './access.guard.js';
import { AccessPolicy } from './access.policy.js';
import { AuditInterceptor } from './audit.interceptor.js';
import { RateLimitGuard } from './rate-limit.guard.js';

@Module({
  imports: [StoreModule],
  providers: [
    AccessPolicy,
    // Order matters: APP_GUARDs run in registration order, so a flood is refused before tokens are looked up.
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AccessPolicy],
})
export class AccessModule {}
