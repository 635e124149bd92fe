/**
 * Steering campaigns: create one from posted YAML, then start, pause, hold, resume, abort. Each call needs a token
 * with the `operate` scope and is written to the audit log with its reason.
 */
import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthedRequest } from '../access/access.policy.js';
import { CampaignService, type CampaignSummary } from '../campaign/campaign.service.js';
import { openApiSchema, parseBody, reasonBody } from './request-body.js';
import { parsePostedCampaign } from './posted-documents.js';

export const createCampaignBody = z.strictObject({
  campaign: z.string().min(1).describe('The campaign YAML'),
  path: z
    .string()
    .min(1)
    .optional()
    .describe("Where the campaign file is on the daemon's disk; its `lab:` is resolved relative to it"),
  lab: z.string().min(1).optional().describe('The lab YAML, posted alongside instead of read from disk'),
  labPath: z.string().min(1).optional().describe('A name for the posted lab in messages and provenance'),
  start: z.boolean().default(false).describe('Start it at once'),
  reason: z.string().max(500).optional(),
});

/** "paused by alice: lunch" — what the campaign's reason column and the dashboard show. */
function byWhom(req: AuthedRequest, verb: string, reason: string | undefined): string {
  const who = req.principal?.name ?? 'anonymous';
  return `${verb} by ${who}${reason ? `: ${reason}` : ''}`;
}

@ApiTags('campaigns')
@Controller('api/campaigns')
export class CampaignControlController {
  constructor(private readonly campaigns: CampaignService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a campaign from posted YAML (validated first; nothing is stored if it is bad)',
  })
  @ApiBody({ schema: openApiSchema(createCampaignBody) })
  async create(@Body() body: unknown): Promise<CampaignSummary> {
    const b = parseBody(createCampaignBody, body);
    const doc = parsePostedCampaign({ text: b.campaign, path: b.path, lab: b.lab, labPath: b.labPath });
    const created = this.campaigns.create(doc);
    if (b.start) await this.campaigns.start(created.id);
    return this.campaigns.summary(this.campaigns.require(created.id));
  }

  @Post(':id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a draft campaign (a held one needs resume)' })
  @ApiBody({ schema: openApiSchema(reasonBody), required: false })
  async start(@Param('id') id: string, @Body() body: unknown): Promise<CampaignSummary> {
    parseBody(reasonBody, body);
    return this.campaigns.summary(await this.campaigns.start(id));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause: nothing new starts, running steps finish' })
  @ApiBody({ schema: openApiSchema(reasonBody), required: false })
  pause(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): CampaignSummary {
    const { reason } = parseBody(reasonBody, body);
    return this.campaigns.summary(this.campaigns.pause(id, byWhom(req, 'paused', reason)));
  }

  @Post(':id/hold')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hold for a human: like pause, and only an explicit resume leaves it' })
  @ApiBody({ schema: openApiSchema(reasonBody), required: false })
  hold(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): CampaignSummary {
    const { reason } = parseBody(reasonBody, body);
    return this.campaigns.summary(this.campaigns.hold(id, byWhom(req, 'held', reason)));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused or held campaign' })
  @ApiBody({ schema: openApiSchema(reasonBody), required: false })
  async resume(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: AuthedRequest,
  ): Promise<CampaignSummary> {
    const { reason } = parseBody(reasonBody, body);
    return this.campaigns.summary(await this.campaigns.resume(id, byWhom(req, 'resumed', reason)));
  }

  @Post(':id/abort')
  @HttpCode(200)
  @ApiOperation({ summary: 'Abort: running commands are aborted on the instruments; the campaign ends' })
  @ApiBody({ schema: openApiSchema(reasonBody), required: false })
  abort(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): CampaignSummary {
    const { reason } = parseBody(reasonBody, body);
    return this.campaigns.summary(this.campaigns.abort(id, byWhom(req, 'aborted', reason)));
  }
}
