/**
 * Instruments over HTTP: their state, link and last readings; manual actions (limit-checked, locked, journaled);
 * abort and emergency stop. Every state-changing route is a POST here, so the access guard covers them by
 * method; the global access guard asks for an `operate` token. A manual action answers with its outcome: 200 done, 422 refused (limits, parameters), 409 busy, expired or
 * stopped by a tripped interlock, 502 the instrument failed it, 503 unreachable, 504 timed out.
 */
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { NeverRateLimited } from '../access/access.decorators.js';
import type { AuthedRequest } from '../access/access.policy.js';
import { z } from 'zod';
import { parseDuration } from '../common/durations.js';
import { DocumentInvalidError } from '../common/lab-error.js';
import type { ControlSource } from '../events/event-map.js';
import { InstrumentRegistry } from '../lab/instrument-registry.service.js';
import { ManualControl, type AbortReport, type ManualResult } from '../lab/manual-control.service.js';

export interface InstrumentView {
  id: string;
  lab: string;
  driver: string;
  link: boolean;
  online: boolean;
  state: string | null;
  detail: string | null;
  capacity: number;
  inUse: number;
  queued: number;
  actions: string[];
  readings: { name: string; value: unknown; t: string; valid: boolean }[];
}

const durationText = z
  .string()
  .refine((v) => parseDuration(v) !== undefined, { message: 'expected a duration such as 30 s or 5 min' });

const actionBody = z.strictObject({
  params: z.record(z.string(), z.unknown()).default({}),
  timeout: durationText.optional(),
  reason: z.string().max(500).optional(),
});

const abortBody = z.strictObject({
  target: z.string().min(1).optional(),
  reason: z.string().max(500).optional(),
});
const abortAllBody = z.strictObject({
  instruments: z.array(z.string().min(1)).default([]),
  reason: z.string().max(500).optional(),
});

/** Header the CLI sets, so the journal says where a manual action came from. */
export const SOURCE_HEADER = 'x-labloop-source';

@ApiTags('instruments')
@Controller('api/instruments')
export class InstrumentsController {
  constructor(
    private readonly instruments: InstrumentRegistry,
    private readonly manual: ManualControl,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Connected instruments: link, state, capacity and lock use, last readings' })
  list(): InstrumentView[] {
    return this.instruments.list().map((i) => {
      const s = i.driver.status();
      return {
        id: i.id,
        lab: i.lab,
        driver: i.spec.driver,
        link: s.link,
        online: s.online,
        state: s.state ?? null,
        detail: s.detail ?? null,
        capacity: i.spec.capacity,
        inUse: i.lock.inUse,
        queued: i.lock.queued,
        actions: Object.keys(i.spec.actions),
        readings: i.driver.latestReadings().map((r) => ({
          name: r.name,
          value: r.value,
          t: new Date(r.t).toISOString(),
          valid: r.valid,
        })),
      };
    });
  }

  /** Emergency stop: the contract's abort to the instruments named, or to all. */
  @Post('abort')
  @HttpCode(200)
  @NeverRateLimited()
  @ApiOperation({ summary: 'Emergency stop: abort at once on the instruments named, or on all' })
  abortAll(
    @Body() body: unknown,
    @Req() req: AuthedRequest,
    @Headers(SOURCE_HEADER) source?: string,
  ): Promise<AbortReport> {
    const b = parse(abortAllBody, body);
    return this.manual.abort(b.instruments, {
      source: sourceOf(source),
      actor: req.principal?.name,
      reason: b.reason,
    });
  }

  @Post(':id/abort')
  @HttpCode(200)
  @NeverRateLimited()
  @ApiOperation({ summary: 'Abort one command (target) or whatever runs on one instrument' })
  abort(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: AuthedRequest,
    @Headers(SOURCE_HEADER) source?: string,
  ): Promise<AbortReport> {
    const b = parse(abortBody, body);
    return this.manual.abort([id], {
      source: sourceOf(source),
      actor: req.principal?.name,
      reason: b.reason,
      target: b.target,
    });
  }

  @Post(':id/actions/:action')
  @ApiOperation({
    summary: 'Run one action by hand: limit-checked, locked, journaled; answers with its outcome',
  })
  async act(
    @Param('id') id: string,
    @Param('action') action: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Req() req: AuthedRequest,
    @Headers(SOURCE_HEADER) source?: string,
  ): Promise<ManualResult> {
    const b = parse(actionBody, body);
    const result = await this.manual.run(id, action, {
      params: b.params,
      source: sourceOf(source),
      actor: req.principal?.name,
      reason: b.reason,
      timeoutMs: b.timeout === undefined ? undefined : parseDuration(b.timeout),
    });
    res.status(httpStatus(result));
    return result;
  }
}

function httpStatus(r: ManualResult): number {
  if (r.status === 'done') return 200;
  if (r.status === 'timeout') return r.error.code === 'INSTRUMENT_OFFLINE' ? 503 : 504;
  if (r.error.code === 'INSTRUMENT_OFFLINE') return 503;
  if (r.status === 'failed') return 502;
  return CONFLICTS.has(r.error.code) ? 409 : 422;
}

/** Refusals that say "not now" rather than "never like this". */
const CONFLICTS = new Set(['INSTRUMENT_BUSY', 'EXPIRED', 'INTERLOCK_TRIPPED']);

function sourceOf(header: string | undefined): ControlSource {
  return header === 'cli' ? 'cli' : 'api';
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  throw new DocumentInvalidError(
    r.error.issues.map((i) => ({ file: 'request body', path: i.path.join('.'), message: i.message })),
  );
}
