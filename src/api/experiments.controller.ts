/**
 * Experiments and their steps: what each step did (by its stable key), and the operator's side of manual steps —
 * list what waits, confirm it (or say it could not be done). No access control yet (issue 8).
 */
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { DocumentInvalidError, LabError } from '../common/lab-error.js';
import { issuesToMessages } from '../common/schema-messages.js';
import { ManualSteps } from '../execution/manual-steps.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { StepRecord } from '../store/store.records.js';

export interface StepView {
  key: string;
  kind: string;
  status: string;
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  result: unknown;
  error: string | null;
  /** A manual step's prompt. */
  prompt?: string;
  /** A manual step that waits for an operator. */
  waiting?: boolean;
}

const answerSchema = z.strictObject({
  ok: z
    .boolean()
    .default(true)
    .describe('false: the operator could not do it (the step fails, its policy applies)'),
  by: z.string().min(1).max(200).optional(),
  note: z.string().max(2000).optional(),
});

@Controller('api')
export class ExperimentsController {
  constructor(
    private readonly records: RecordsRepository,
    private readonly manual: ManualSteps,
  ) {}

  /** One experiment, the documents it ran (by content hash: `GET /api/documents/:hash`), and its steps. */
  @Get('experiments/:id')
  one(@Param('id') id: string): Record<string, unknown> {
    const e = this.records.experiment(id);
    if (!e) throw new LabError('NOT_FOUND', `no experiment ${id}`, 'id');
    const c = this.records.campaign(e.campaignId);
    return {
      id: e.id,
      campaignId: e.campaignId,
      seq: e.seq,
      status: e.status,
      reason: e.reason,
      params: e.params,
      documents: c && {
        campaign: { file: c.specFile, hash: c.specHash },
        lab: { file: c.labFile, hash: c.labHash },
        protocol: c.protocolHash ? { file: c.protocolFile, hash: c.protocolHash } : null,
      },
      steps: this.steps(id),
    };
  }

  /** A document exactly as a campaign read it. */
  @Get('documents/:hash')
  document(@Param('hash') hash: string): { hash: string; text: string } {
    const text = this.records.document(hash);
    if (text === undefined) throw new LabError('NOT_FOUND', `no document ${hash}`, 'hash');
    return { hash, text };
  }

  @Get('experiments/:id/steps')
  steps(@Param('id') id: string): StepView[] {
    if (!this.records.experiment(id)) throw new LabError('NOT_FOUND', `no experiment ${id}`, 'id');
    const waiting = new Set(this.manual.waitingIn(id).map((s) => s.key));
    return this.records.steps(id).map((s) => view(s, waiting.has(s.key)));
  }

  /** The step key goes URL-encoded: `replicates[2]/load` is `replicates%5B2%5D%2Fload`. */
  @Post('experiments/:id/steps/:step/confirm')
  @HttpCode(200)
  confirm(@Param('id') id: string, @Param('step') step: string, @Body() body: unknown): StepView {
    const parsed = answerSchema.safeParse(body ?? {});
    if (!parsed.success)
      throw new DocumentInvalidError(
        issuesToMessages(parsed.error.issues, body, answerSchema).map((m) => ({
          file: 'request body',
          path: m.path.join('.'),
          message: m.message,
        })),
      );
    const a = parsed.data;
    const answer = { ok: a.ok, ...(a.by ? { by: a.by } : {}), ...(a.note ? { note: a.note } : {}) };
    return view(this.manual.confirm(id, step, answer), false);
  }

  @Get('campaigns/:id/manual-steps')
  waiting(@Param('id') id: string): (StepView & { experimentId: string })[] {
    if (!this.records.campaign(id)) throw new LabError('NOT_FOUND', `no campaign ${id}`, 'id');
    return this.manual.waiting(id).map((s) => ({ experimentId: s.experimentId, ...view(s, true) }));
  }
}

function view(s: StepRecord, waiting: boolean): StepView {
  const prompt = (s.detail as { prompt?: unknown } | null)?.prompt;
  return {
    key: s.key,
    kind: s.kind,
    status: s.status,
    attempts: s.attempts,
    startedAt: new Date(s.startedAt).toISOString(),
    finishedAt: s.finishedAt === null ? null : new Date(s.finishedAt).toISOString(),
    result: s.result,
    error: s.error,
    ...(typeof prompt === 'string' ? { prompt } : {}),
    ...(s.kind === 'manual' ? { waiting } : {}),
  };
}
