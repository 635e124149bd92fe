/**
 * Drives one instrument on an OPC UA server. Each action runs the operations the lab file maps it to, or a LADS
 * program; readings and waits follow variables by subscription. The link is honest (readings invalid while it is
 * down) and node-opcua restores the session and subscription after a reconnect. A plain write or call is not
 * idempotent, so a command a crash left pending is re-sent only when the lab file declares its action repeatable
 * or it only observes; a LADS run is looked up by the command id instead (see `reconcile`).
 */
import './opcua-log.js';
import { Logger } from '@nestjs/common';
import { resolveNodeId } from 'node-opcua';
import type { Subscription } from 'rxjs';
import { parseDuration } from '../../src/common/durations.js';
import { describeError, LabError } from '../../src/common/lab-error.js';
import type {
  AbortDelivery,
  CommandOutcome,
  CommandRequest,
  DriverContext,
  ExecuteOptions,
  InstrumentDriver,
  InstrumentState,
  PendingCommand,
  Reconciliation,
} from '../../src/lab/instrument-driver.port.js';
import { DriverBase } from '../../src/lab/instrument-driver.base.js';
import type { LadsProgramSpec, LadsSpec } from './opcua.lab-schema.js';
import { LadsClient } from './lads-program.js';
import { OpcuaConnection } from './opcua-connection.js';
import { describeFromServer } from './opcua-describe.js';
import { NodeResolver } from './opcua-nodes.js';
import {
  compileOperation,
  onlyObserves,
  OperationRunner,
  OpFailure,
  type CompiledOp,
} from './opcua-operations.js';
import { runCommand, StopReason, waitForLink } from './opcua-command.js';
import { fromDataValue } from './opcua-values.js';

type OpcuaSpec = Extract<DriverContext['spec'], { driver: 'opcua' }>;

/** Server_ServerStatus_State: 0 is Running. */
const SERVER_STATE = 'i=2259';

export class OpcuaInstrumentDriver extends DriverBase implements InstrumentDriver {
  readonly logger: Logger;
  readonly conn: OpcuaConnection;
  readonly runner: OperationRunner;
  readonly lads: LadsClient;
  readonly spec: OpcuaSpec;
  readonly operations: Record<string, readonly CompiledOp[]>;
  readonly abortOps: readonly CompiledOp[];
  private readonly nodes: NodeResolver;
  private readonly running = new Map<string, AbortController>();
  private readonly samplingMs: number;
  private serverRunning = true;
  private unitState?: string;
  private setUp = false;
  private linkSub?: Subscription;

  constructor(ctx: DriverContext) {
    super(ctx);
    if (ctx.spec.driver !== 'opcua') throw new Error(`instrument ${ctx.id} does not use the opcua driver`);
    this.spec = ctx.spec;
    this.logger = new Logger(`opcua:${ctx.id}`);
    this.samplingMs = parseDuration(this.spec.subscription.samplingInterval) ?? 100;
    this.conn = new OpcuaConnection({
      id: ctx.id,
      endpoint: this.spec.endpoint,
      security: this.spec.security,
      files: ctx.files,
      publishingIntervalMs: parseDuration(this.spec.subscription.publishingInterval) ?? 100,
      acceptAnyCertificate: ctx.acceptAnyCertificate,
    });
    this.nodes = new NodeResolver(this.conn, this.spec.namespaces);
    this.runner = new OperationRunner(this.conn, this.nodes, ctx.clock, this.samplingMs);
    this.lads = new LadsClient(this.conn, this.nodes, this.runner, ctx.clock, this.samplingMs);
    this.operations = Object.fromEntries(
      Object.entries(this.spec.operations).map(([a, m]) => [a, m.steps.map(compileOperation)]),
    );
    this.abortOps = this.spec.abort.map(compileOperation);
  }

  connect(): Promise<void> {
    this.linkSub = this.conn.up$.subscribe((up) => this.onLink(up));
    this.linkSub.add(this.conn.problem$.subscribe(() => this.refreshStatus()));
    this.conn.start();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.linkSub?.unsubscribe();
    for (const c of this.running.values()) c.abort(new StopReason('shutdown'));
    await this.conn.close();
    this.completeStreams();
  }

  execute(request: CommandRequest, options: ExecuteOptions = {}): Promise<CommandOutcome> {
    if (this.running.has(request.id))
      return Promise.reject(
        new LabError('CONFLICT', `command ${request.id} is already in flight on ${this.id}`),
      );
    const controller = new AbortController();
    this.running.set(request.id, controller);
    this.refreshStatus();
    return runCommand(this, request, options, controller).finally(() => {
      this.running.delete(request.id);
      this.refreshStatus();
    });
  }

  async abort(target?: string): Promise<AbortDelivery> {
    if (target !== undefined) {
      const c = this.running.get(target);
      if (c) {
        c.abort(new StopReason('aborted'));
        return { delivered: true };
      }
    }
    // Emergency: stop whatever runs, once, on the instrument itself.
    for (const c of this.running.values()) c.abort(new StopReason('aborted', true));
    try {
      await this.stopInstrument();
      return { delivered: true };
    } catch (e) {
      return { delivered: false, reason: `${this.id}: ${describeError(e)}` };
    }
  }

  async reconcile(command: PendingCommand): Promise<Reconciliation> {
    const ops = this.operations[command.action];
    if (ops) {
      if (this.spec.operations[command.action]?.idempotent || onlyObserves(ops)) return { kind: 'resend' };
      return {
        kind: 'unknown',
        reason: `${this.id}.${command.action} writes or calls on the server and is not declared idempotent; whether it took effect before the crash cannot be known`,
      };
    }
    const program = this.program(command.action);
    if (!program) return { kind: 'unknown', reason: `${this.id} has no action ${command.action}` };
    const down = await waitForLink(this.conn, this.ctx.clock, this.ctx.replyTimeoutMs * 3);
    if (down) return { kind: 'unknown', reason: `${this.id}: cannot look the run up: ${down}` };
    const unit = await this.lads.unit(program.functionalUnit ?? this.ladsSpec().functionalUnit);
    const found = await this.lads.find(unit, command.id);
    if (!found) return { kind: 'resend' };
    if (found.active) return { kind: 'running' };
    if (!found.stopped)
      return {
        kind: 'finished',
        outcome: {
          status: 'failed',
          error: { code: 'INCOMPLETE', message: `run ${found.runId} ended without completing its result` },
        },
      };
    return {
      kind: 'finished',
      outcome: { status: 'done', result: await this.ladsResult(found.result, command.action) },
    };
  }

  /** The LADS program an action maps to, if it is one. */
  program(action: string): LadsProgramSpec | undefined {
    return this.spec.lads?.programs[action];
  }

  ladsSpec(): LadsSpec {
    if (!this.spec.lads) throw new LabError('CONFIG_INVALID', `${this.id} has no lads preset`);
    return this.spec.lads;
  }

  /** A finished run's result, named as the lab file declares the action's results. */
  async ladsResult(
    resultNode: Parameters<LadsClient['readResult']>[0],
    action: string,
  ): Promise<Record<string, unknown>> {
    const program = this.program(action);
    const declared = Object.keys(this.spec.actions[action]?.result ?? {});
    const browse = (r: string): string => program?.results[r] ?? r;
    const values = await this.lads.readResult(resultNode, declared.map(browse));
    return Object.fromEntries(declared.map((r) => [r, values[browse(r)]]));
  }

  /** Stops the instrument: the lab file's abort operations, or the LADS unit's Abort. */
  async stopInstrument(): Promise<void> {
    if (this.abortOps.length > 0) {
      await this.runner.run(
        this.abortOps,
        { params: {}, commandId: '', experimentId: '' },
        new AbortController().signal,
      );
      return;
    }
    if (this.spec.lads) {
      await this.lads.stop(await this.lads.unit(this.spec.lads.functionalUnit));
      return;
    }
    throw new OpFailure('NO_ABORT', `${this.id} has no abort operations in its lab entry`);
  }

  emitProgress(commandId: string, status: 'accepted' | 'running', progress?: number): void {
    this.ctx.events.emit('command.progress', { commandId, instrument: this.id, status, progress });
  }

  private onLink(up: boolean): void {
    if (!up) this.readings.invalidate();
    this.refreshStatus();
    if (up && !this.setUp) void this.setUpOnce();
  }

  /** After the first connection: readings, the server's state, the LADS unit's state, the description. */
  private async setUpOnce(): Promise<void> {
    this.setUp = true;
    try {
      await this.conn.monitor(resolveNodeId(SERVER_STATE), 1000, (dv) => {
        this.serverRunning = fromDataValue(dv) === 0;
        this.refreshStatus();
      });
      for (const [name, ref] of Object.entries(this.spec.readingNodes)) {
        await this.conn.monitor(await this.nodes.resolve(ref), this.samplingMs, (dv) => {
          const good = dv.statusCode.isGood();
          this.readings.push(
            name,
            fromDataValue(dv) ?? null,
            dv.sourceTimestamp?.getTime() ?? this.ctx.clock.now(),
            good && this.status().online,
          );
        });
      }
      if (this.spec.lads) {
        const unit = await this.lads.unit(this.spec.lads.functionalUnit);
        await this.conn.monitor(unit.currentState, this.samplingMs, (dv) => {
          const v = fromDataValue(dv);
          this.unitState = typeof v === 'string' ? v.slice(v.lastIndexOf(':') + 1) : undefined;
          this.refreshStatus();
        });
      }
      const input = {
        operations: this.operations,
        lads: this.spec.lads,
        readingNodes: this.spec.readingNodes,
      };
      this.description.next(await describeFromServer(input, this.nodes, this.runner, this.lads, this.logger));
    } catch (e) {
      this.logger.warn(
        `setting up ${this.id} on its server failed: ${describeError(e)}; retrying at the next connection`,
      );
      this.setUp = false;
    }
  }

  private refreshStatus(): void {
    const link = this.conn.up;
    const online = link && this.serverRunning;
    this.setStatus({ link, online, state: this.state(), detail: this.conn.problem });
  }

  private state(): InstrumentState {
    switch (this.unitState) {
      case 'Aborted':
      case 'Aborting':
        return 'error';
      case 'Running':
      case 'Stopping':
      case 'Clearing':
        return 'busy';
      default:
        return this.running.size > 0 ? 'busy' : 'idle';
    }
  }
}
