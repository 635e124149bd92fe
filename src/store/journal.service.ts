/**
 * The crash journal: the only writer of campaign, experiment, command and observation rows. Each `write` is one
 * synchronous SQLite transaction (durable at commit), and the events it records are appended to the event log in
 * that same transaction, then published on the bus once committed. Intents are written before they are acted on.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Database, Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import {
  assertCampaignTransition,
  assertExperimentTransition,
  type CampaignStatus,
  type ExperimentStatus,
} from '../campaign/campaign-states.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { LabError } from '../common/lab-error.js';
import { timeOrderedId } from '../common/time-ordered-id.js';
import { EventBus } from '../events/event-bus.service.js';
import {
  eventKeys,
  type EventMap,
  type EventType,
  type LabEvent,
  type ObjectiveValues,
  type ParamValues,
} from '../events/event-map.js';
import type { CommandStatus } from './entities/command.entity.js';
import type { StepStatus } from './entities/step.entity.js';
import { nativeDatabase } from './sqlite-connection.js';
import {
  toCampaign,
  toCommand,
  toExperiment,
  toStep,
  type CampaignRecord,
  type CommandRecord,
  type ExperimentKind,
  type ExperimentRecord,
  type StepRecord,
} from './store.records.js';

export interface NewCampaign {
  name: string;
  specHash: string;
  labHash: string;
  specFile: string;
  labFile: string;
  protocolHash?: string;
  protocolFile?: string;
  seed: number;
}

/** The experiment a step belongs to, as journal writes need it. */
export interface StepOwner {
  id: string;
  campaignId: string;
}

export interface StepFinish {
  status: Exclude<StepStatus, 'running'>;
  result?: unknown;
  error?: string;
}

export interface NewCommand {
  experimentId: string;
  step: string;
  attempt: number;
  instrument: string;
  action: string;
  params: Record<string, unknown>;
  deadline: number;
}

export interface CommandFinish {
  status: Exclude<CommandStatus, 'pending'>;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    putDocument: s(
      'INSERT OR IGNORE INTO document (hash, kind, file, text, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    insertCampaign:
      s(`INSERT INTO campaign (id, name, status, reason, spec_hash, lab_hash, spec_file, lab_file, protocol_hash,
      protocol_file, seed, created_at, updated_at) VALUES (@id, @name, 'draft', NULL, @specHash, @labHash, @specFile,
      @labFile, @protocolHash, @protocolFile, @seed, @now, @now)`),
    getCampaign: s('SELECT * FROM campaign WHERE id = ?'),
    // Named parameters: better-sqlite3 refuses numbered ones used twice (?1 … ?1) as "too many parameter values".
    setCampaignStatus: s(`UPDATE campaign SET status = @to, reason = @reason, updated_at = @now,
      started_at = CASE WHEN @to = 'running' THEN COALESCE(started_at, @now) ELSE started_at END WHERE id = @id`),
    insertExperiment:
      s(`INSERT INTO experiment (id, campaign_id, seq, suggestion_id, kind, params, status, created_at)
      VALUES (?, ?, ?, ?, ?, ?, 'designed', ?)`),
    getExperiment: s('SELECT * FROM experiment WHERE id = ?'),
    setExperimentStatus: s(`UPDATE experiment SET status = @to, reason = @reason,
      started_at = CASE WHEN @to = 'running' THEN @now ELSE started_at END,
      finished_at = CASE WHEN @terminal THEN @now ELSE finished_at END WHERE id = @id`),
    insertCommand:
      s(`INSERT INTO command (id, experiment_id, step, attempt, instrument, action, params, deadline, status,
      sends, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?) RETURNING *`),
    finishCommand: s(
      `UPDATE command SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'pending'`,
    ),
    countResend: s('UPDATE command SET sends = sends + 1 WHERE id = ?'),
    insertObservation: s(
      'INSERT INTO observation (experiment_id, campaign_id, "values", created_at) VALUES (?, ?, ?, ?)',
    ),
    getStep: s('SELECT * FROM step WHERE experiment_id = ? AND key = ?'),
    startStep: s(`INSERT INTO step (experiment_id, key, kind, status, attempts, started_at, detail)
      VALUES (@experimentId, @key, @kind, 'running', 1, @now, @detail)
      ON CONFLICT (experiment_id, key) DO UPDATE SET status = 'running', attempts = CASE WHEN step.status = 'held'
      THEN 1 ELSE step.attempts + 1 END, started_at = @now, finished_at = NULL, result = NULL, error = NULL,
      detail = @detail RETURNING *`),
    finishStep: s(`UPDATE step SET status = @status, result = @result, error = @error, finished_at = @now
      WHERE experiment_id = @experimentId AND key = @key RETURNING kind`),
    decideStep:
      s(`INSERT INTO step (experiment_id, key, kind, status, attempts, started_at, finished_at, result)
      VALUES (?, ?, ?, 'done', 1, ?, ?, ?)`),
    confirmStep: s(`UPDATE step SET result = ? WHERE experiment_id = ? AND key = ? AND kind = 'manual'
      AND status = 'running'`),
    insertTrip: s(`INSERT INTO interlock_trip (name, lab, condition, action, detail, tripped_at)
      VALUES (?, ?, ?, ?, ?, ?)`),
    resetTrip: s(
      `UPDATE interlock_trip SET reset_at = ?, reset_by = ? WHERE lab = ? AND name = ? AND reset_at IS NULL`,
    ),
    insertEvent: s('INSERT INTO event (ts, type, campaign_id, experiment_id, data) VALUES (?, ?, ?, ?, ?)'),
  };
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The operations allowed inside one journal transaction. */
export class JournalTx {
  constructor(
    private readonly st: Statements,
    private readonly now: number,
    private readonly pending: LabEvent[],
  ) {}

  event<K extends EventType>(type: K, data: EventMap[K]): void {
    const keys = eventKeys(data);
    const row = this.st.insertEvent.run(
      this.now,
      type,
      keys.campaignId,
      keys.experimentId,
      JSON.stringify(data),
    );
    this.pending.push({ id: Number(row.lastInsertRowid), type, ts: this.now, data });
  }

  putDocument(kind: string, file: string, text: string): string {
    const hash = contentHash(text);
    this.st.putDocument.run(hash, kind, file, text, this.now);
    return hash;
  }

  createCampaign(c: NewCampaign): CampaignRecord {
    const id = randomUUID();
    this.st.insertCampaign.run({
      id,
      ...c,
      protocolHash: c.protocolHash ?? null,
      protocolFile: c.protocolFile ?? null,
      now: this.now,
    });
    this.event('campaign.created', { campaignId: id, name: c.name, file: c.specFile });
    return this.campaign(id);
  }

  campaign(id: string): CampaignRecord {
    const row = this.st.getCampaign.get(id) as Record<string, unknown> | undefined;
    if (!row) throw new LabError('NOT_FOUND', `no campaign ${id}`);
    return toCampaign(row);
  }

  setCampaignStatus(id: string, to: CampaignStatus, reason?: string): CampaignRecord {
    const from = this.campaign(id).status;
    if (from === to) return this.campaign(id);
    assertCampaignTransition(from, to);
    this.st.setCampaignStatus.run({ to, reason: reason ?? null, now: this.now, id });
    this.event('campaign.status', { campaignId: id, from, to, ...(reason ? { reason } : {}) });
    return this.campaign(id);
  }

  createExperiment(
    campaignId: string,
    seq: number,
    suggestionId: string,
    params: ParamValues,
    kind: ExperimentKind = 'design',
  ): ExperimentRecord {
    const id = timeOrderedId();
    this.st.insertExperiment.run(id, campaignId, seq, suggestionId, kind, JSON.stringify(params), this.now);
    this.event('experiment.designed', {
      campaignId,
      experimentId: id,
      seq,
      params,
      ...(kind === 'design' ? {} : { kind }),
    });
    return this.experiment(id);
  }

  experiment(id: string): ExperimentRecord {
    const row = this.st.getExperiment.get(id) as Record<string, unknown> | undefined;
    if (!row) throw new LabError('NOT_FOUND', `no experiment ${id}`);
    return toExperiment(row);
  }

  setExperimentStatus(id: string, to: ExperimentStatus, reason?: string): ExperimentRecord {
    const e = this.experiment(id);
    assertExperimentTransition(e.status, to);
    const terminal = to === 'completed' || to === 'failed' || to === 'interrupted' ? 1 : 0;
    this.st.setExperimentStatus.run({ id, to, reason: reason ?? null, now: this.now, terminal });
    this.event('experiment.status', {
      campaignId: e.campaignId,
      experimentId: id,
      seq: e.seq,
      from: e.status,
      to,
      ...(reason ? { reason } : {}),
    });
    return { ...e, status: to, reason: reason ?? null };
  }

  createCommand(c: NewCommand): CommandRecord {
    const id = timeOrderedId();
    const row = this.st.insertCommand.get(
      id,
      c.experimentId,
      c.step,
      c.attempt,
      c.instrument,
      c.action,
      JSON.stringify(c.params),
      c.deadline,
      this.now,
    );
    this.event('command.stored', {
      experimentId: c.experimentId,
      commandId: id,
      instrument: c.instrument,
      action: c.action,
      step: c.step,
    });
    return toCommand(row as Record<string, unknown>);
  }

  countResend(commandId: string): void {
    this.st.countResend.run(commandId);
  }

  finishCommand(command: CommandRecord, f: CommandFinish): void {
    const changed = this.st.finishCommand.run(
      f.status,
      f.result === undefined ? null : JSON.stringify(f.result),
      f.error === undefined ? null : JSON.stringify(f.error),
      this.now,
      command.id,
    ).changes;
    if (changed === 0) throw new LabError('CONFLICT', `command ${command.id} is already finished`);
    this.event('command.finished', {
      experimentId: command.experimentId,
      commandId: command.id,
      instrument: command.instrument,
      status: f.status,
      ...(f.error ? { error: `${f.error.code}: ${f.error.message}` } : {}),
    });
  }

  step(experimentId: string, key: string): StepRecord | undefined {
    const row = this.st.getStep.get(experimentId, key) as Record<string, unknown> | undefined;
    return row ? toStep(row) : undefined;
  }

  /** A new attempt of a leaf step (the first, a retry, or the first after a hold) is under way. */
  startStep(e: StepOwner, key: string, kind: string, detail?: unknown): StepRecord {
    const step = toStep(
      this.st.startStep.get({
        experimentId: e.id,
        key,
        kind,
        now: this.now,
        detail: detail === undefined ? null : JSON.stringify(detail),
      }) as Record<string, unknown>,
    );
    this.event('step.started', {
      campaignId: e.campaignId,
      experimentId: e.id,
      key,
      kind,
      attempt: step.attempts,
    });
    if (kind === 'manual') {
      const prompt = (detail as { prompt?: unknown } | undefined)?.prompt;
      this.event('step.manual', {
        campaignId: e.campaignId,
        experimentId: e.id,
        key,
        prompt: typeof prompt === 'string' ? prompt : '',
      });
    }
    return step;
  }

  finishStep(e: StepOwner, key: string, f: StepFinish): void {
    const step = this.st.finishStep.get({
      experimentId: e.id,
      key,
      status: f.status,
      result: f.result === undefined ? null : JSON.stringify(f.result),
      error: f.error ?? null,
      now: this.now,
    }) as { kind: string } | undefined;
    if (!step) throw new LabError('NOT_FOUND', `no step ${key} in experiment ${e.id}`);
    this.event('step.finished', {
      campaignId: e.campaignId,
      experimentId: e.id,
      key,
      kind: step.kind,
      status: f.status,
      ...(f.error ? { error: f.error } : {}),
    });
  }

  /** A control step's decision (the branch taken, the items repeated over), recorded once and replayed after a restart. */
  decideStep(e: StepOwner, key: string, kind: string, result: unknown): void {
    this.st.decideStep.run(e.id, key, kind, this.now, this.now, JSON.stringify(result));
  }

  /** An operator's answer to a manual step that waits for one; false when the step does not wait. */
  confirmStep(e: StepOwner, key: string, answer: { ok: boolean; by?: string; note?: string }): boolean {
    const changed = this.st.confirmStep.run(JSON.stringify({ confirmation: answer }), e.id, key).changes;
    if (changed === 0) return false;
    this.event('step.confirmed', { campaignId: e.campaignId, experimentId: e.id, key, ...answer });
    return true;
  }

  /** An interlock tripped: latched (durably) until `resetInterlock`, with its event. */
  tripInterlock(t: {
    name: string;
    lab: string;
    condition: string;
    action: 'hold' | 'abort';
    detail: string;
  }): void {
    this.st.insertTrip.run(t.name, t.lab, t.condition, t.action, t.detail, this.now);
    this.event('interlock.tripped', {
      interlock: t.name,
      lab: t.lab,
      action: t.action,
      when: t.condition,
      detail: t.detail,
    });
  }

  /** A person reset a tripped interlock; false when it was not latched. */
  resetInterlock(lab: string, name: string, by: string, reason?: string): boolean {
    const changed = this.st.resetTrip.run(this.now, by, lab, name).changes;
    if (changed === 0) return false;
    this.event('interlock.reset', { interlock: name, lab, by, ...(reason ? { reason } : {}) });
    return true;
  }

  recordObservation(e: ExperimentRecord, values: ObjectiveValues): void {
    this.st.insertObservation.run(e.id, e.campaignId, JSON.stringify(values), this.now);
    this.event('observation.recorded', { campaignId: e.campaignId, experimentId: e.id, seq: e.seq, values });
  }
}

interface Queued {
  fn: (tx: JournalTx) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes come two ways. `write` commits at once and returns synchronously. `commit` is group commit for the hot
 * path: writes queued within two turns of the event loop share one durable transaction (each in its own savepoint,
 * so a write that throws rolls back alone), and every promise resolves only after that transaction is on disk. An
 * fsync costs about 0.2 ms here; with many experiments in flight, sharing it is what keeps the journal fast. `write`
 * commits whatever is queued first, so writes land in the order they were made.
 */
@Injectable()
export class Journal implements OnModuleDestroy {
  private readonly db: Database;
  private readonly st: Statements;
  private queue: Queued[] = [];
  private flushScheduled = false;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly bus: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.db = nativeDatabase(dataSource);
    this.st = prepare(this.db);
  }

  /** Runs `fn` as one durable transaction; its events are published after the commit, never before. */
  write<T>(fn: (tx: JournalTx) => T): T {
    this.flush();
    const pending: LabEvent[] = [];
    const result = this.db
      .transaction(() => fn(new JournalTx(this.st, this.clock.now(), pending)))
      .immediate();
    for (const e of pending) this.bus.publish(e);
    return result;
  }

  /** Queues `fn` for the next group commit; resolves with its result once it is durable. */
  commit<T>(fn: (tx: JournalTx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // Two turns of the event loop: replies that arrived while the last batch was being committed are read in the
        // first, and the writes they lead to join this batch (one more turn costs microseconds when all is quiet).
        setImmediate(() => setImmediate(() => this.flush()));
      }
    });
  }

  onModuleDestroy(): void {
    this.flush();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const now = this.clock.now();
    const results: ({ ok: true; value: unknown; events: LabEvent[] } | { ok: false; error: unknown })[] = [];
    try {
      this.db
        .transaction(() => {
          for (const item of batch) {
            const events: LabEvent[] = [];
            try {
              const value = this.db.transaction(() => item.fn(new JournalTx(this.st, now, events)))();
              results.push({ ok: true, value, events });
            } catch (error) {
              results.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      // The commit itself failed (disk full, database gone): nothing in the batch is durable.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const r = results[i];
      if (r?.ok) {
        for (const e of r.events) this.bus.publish(e);
        item.resolve(r.value);
      } else item.reject(r?.error);
    });
  }
}
