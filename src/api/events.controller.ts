/** The event stream (server-sent events, with replay) and the event log as JSON. */
import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LabError } from '../common/lab-error.js';
import type { LabEvent } from '../events/event-map.js';
import { EventLogRepository } from '../store/event-log.repository.js';
import { EventStreams } from './event-stream.js';

function eventId(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new LabError(
      'REQUEST_INVALID',
      `${field}: expected an event id (a whole number), got "${value}"`,
      field,
    );
  return n;
}

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly streams: EventStreams,
    private readonly eventLog: EventLogRepository,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Server-sent events: every event as `data: {id,type,ts,data}`. Reconnect with Last-Event-ID (or ?since=) to replay what was missed',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'campaign', required: false })
  @ApiQuery({ name: 'since', required: false, type: Number })
  stream(
    @Req() req: Request,
    @Res() res: Response,
    @Headers('last-event-id') lastEventId?: string,
    @Query('since') since?: string,
    @Query('campaign') campaign?: string,
  ): void {
    const from = eventId(lastEventId, 'last-event-id') ?? eventId(since, 'since');
    this.streams.serve(req, res, { since: from, campaign: campaign || undefined });
  }

  @Get('log')
  @ApiOperation({ summary: 'Journaled events as JSON: after an id, or the last N' })
  @ApiQuery({ name: 'after', required: false, type: Number })
  @ApiQuery({ name: 'last', required: false, type: Number })
  @ApiQuery({ name: 'campaign', required: false })
  log(
    @Query('after') after?: string,
    @Query('last') last?: string,
    @Query('campaign') campaign?: string,
  ): LabEvent[] {
    const a = eventId(after, 'after');
    const n = Math.min(eventId(last, 'last') ?? 200, 5000);
    if (a !== undefined) return this.eventLog.after(a, { campaign: campaign || undefined, limit: 5000 });
    if (campaign) return this.eventLog.ofCampaign(campaign).slice(-n);
    return this.eventLog.recent(n);
  }
}
