/**
 * Interlocks over HTTP: the state of each (armed, pending, tripped; since when; why) and the reset of a tripped one.
 * A reset needs an `operate` token (global access guard), is audited, and is refused (409 INTERLOCK_TRIPPED) while
 * the condition still holds or cannot be checked. It never resumes a campaign.
 */
import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthedRequest } from '../access/access.policy.js';
import { InterlockMonitor, type InterlockView } from '../lab/interlock-monitor.service.js';
import { openApiSchema, parseBody } from './request-body.js';

export const resetBody = z.strictObject({
  lab: z.string().min(1).optional().describe('The lab, when interlocks of several labs share the name'),
  reason: z.string().max(500).optional().describe('Why: written to the journal and the audit log'),
});

@ApiTags('interlocks')
@Controller('api/interlocks')
export class InterlocksController {
  constructor(private readonly monitor: InterlockMonitor) {}

  @Get()
  @ApiOperation({ summary: 'Every interlock: armed, pending or tripped, since when, and why' })
  list(): InterlockView[] {
    return this.monitor.list();
  }

  @Post(':name/reset')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Reset a tripped interlock once its condition has cleared (409 while it holds); campaigns stay held',
  })
  @ApiBody({ schema: openApiSchema(resetBody), required: false })
  reset(@Param('name') name: string, @Body() body: unknown, @Req() req: AuthedRequest): InterlockView {
    const b = parseBody(resetBody, body);
    return this.monitor.reset(name, req.principal?.name ?? 'anonymous', {
      ...(b.lab ? { lab: b.lab } : {}),
      ...(b.reason ? { reason: b.reason } : {}),
    });
  }
}
