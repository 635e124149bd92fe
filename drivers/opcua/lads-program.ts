/**
 * The LADS preset (OPC 30500-1): a FunctionalUnit runs a program —
 * `StartProgram(ProgramTemplateId, Properties, SupervisoryJobId, SupervisoryTaskId, Samples) → DeviceProgramRunId` —
 * its state machine goes Running and back to Stopped (or Aborted), and the run's Result appears in the
 * ProgramManager's ResultSet carrying our ids. labloop passes the experiment id as SupervisoryJobId and the command
 * id as SupervisoryTaskId, so after a restart the run is found again by the command id: still running (follow it),
 * finished (read its result), or absent (it never started, so starting it is safe).
 */
import {
  AttributeIds,
  DataType,
  makeBrowsePath,
  LocalizedText,
  Variant,
  VariantArrayType,
  type NodeId,
} from 'node-opcua';
import { Logger } from '@nestjs/common';
import { abortReason, sleep, type Clock } from '../../src/common/clock.js';
import type { OpcuaConnection } from './opcua-connection.js';
import type { NodeResolver } from './opcua-nodes.js';
import { OpFailure, type OperationRunner } from './opcua-operations.js';
import { fromDataValue } from './opcua-values.js';

export const LADS_NAMESPACE = 'http://opcfoundation.org/UA/LADS/';

export interface LadsUnit {
  stateMachine: NodeId;
  currentState: NodeId;
  startProgram: NodeId;
  /** Abort if the unit has it, else Stop. */
  stop?: NodeId;
  resultSet: NodeId;
  templateSet?: NodeId;
  runId?: NodeId;
  currentRuntime?: NodeId;
  estimatedRuntime?: NodeId;
}

export interface LadsRunStart {
  template: string;
  properties: Record<string, string>;
  samples: { containerId: string; sampleId: string; position: string; customData: string }[];
  jobId: string;
  taskId: string;
}

export interface FoundRun {
  result: NodeId;
  runId: string;
  /** The run is the unit's active one and the unit is running it. */
  active: boolean;
  stopped: boolean;
}

export class LadsClient {
  private readonly units = new Map<string, { generation: number; unit: Promise<LadsUnit> }>();

  constructor(
    private readonly conn: OpcuaConnection,
    private readonly nodes: NodeResolver,
    private readonly ops: OperationRunner,
    private readonly clock: Clock,
    private readonly samplingIntervalMs: number,
  ) {}

  /** The nodes of a FunctionalUnit, found by their LADS browse names. */
  unit(ref: string): Promise<LadsUnit> {
    const cached = this.units.get(ref);
    if (cached && cached.generation === this.conn.generation) return cached.unit;
    const unit = this.findUnit(ref);
    this.units.set(ref, { generation: this.conn.generation, unit });
    unit.catch(() => this.units.delete(ref));
    return unit;
  }

  async state(u: LadsUnit): Promise<string> {
    return stateText(await this.ops.readNode(u.currentState));
  }

  /** DeviceTemplateIds (or browse names) of the unit's program templates. */
  async templates(u: LadsUnit): Promise<string[]> {
    if (!u.templateSet) return [];
    const out: string[] = [];
    for (const t of await this.nodes.children(u.templateSet)) {
      const id = await this.nodes.child(t.nodeId, 'DeviceTemplateId');
      const value = id ? await this.ops.readNode(id).catch(() => undefined) : undefined;
      out.push(typeof value === 'string' && value ? value : (t.browseName.name ?? ''));
    }
    return out.filter(Boolean);
  }

  async start(u: LadsUnit, run: LadsRunStart): Promise<string> {
    const session = this.conn.requireSession();
    const def = await session.getArgumentDefinition(u.startProgram);
    const [, propsArg, , , samplesArg] = def.inputArguments ?? [];
    if (!propsArg || !samplesArg)
      throw new OpFailure('LADS_INCOMPATIBLE', 'StartProgram has an unexpected signature');
    const props = await Promise.all(
      Object.entries(run.properties).map(([key, value]) =>
        session.constructExtensionObject(propsArg.dataType, { key, value }),
      ),
    );
    const samples = await Promise.all(
      run.samples.map((s) => session.constructExtensionObject(samplesArg.dataType, { ...s })),
    );
    const list = (value: unknown[]) =>
      new Variant({ dataType: DataType.ExtensionObject, arrayType: VariantArrayType.Array, value });
    const r = await session.call({
      objectId: u.stateMachine,
      methodId: u.startProgram,
      inputArguments: [
        new Variant({ dataType: DataType.String, value: run.template }),
        list(props),
        new Variant({ dataType: DataType.String, value: run.jobId }),
        new Variant({ dataType: DataType.String, value: run.taskId }),
        list(samples),
      ],
    });
    if (!r.statusCode.isGood())
      throw new OpFailure(
        `OPCUA_${r.statusCode.name}`,
        `StartProgram ${run.template}: the device answered ${r.statusCode.name}`,
      );
    const runId = r.outputArguments?.[0]?.value as unknown;
    return typeof runId === 'string' ? runId : '';
  }

  /**
   * Follows the unit until our run ends: 'Stopped' (completed) or 'Aborted'. The state is monitored before `start`
   * (StartProgram) is called, so no transition is missed; a run too quick to be seen Running is recognised by its
   * stopped result. Without `start`, attaches to a run already running.
   */
  async follow(
    u: LadsUnit,
    taskId: string,
    signal: AbortSignal,
    onProgress: (fraction: number) => void,
    start?: () => Promise<void>,
  ): Promise<'Stopped' | 'Aborted'> {
    let started = start === undefined;
    let running = start === undefined;
    let runtime = 0;
    let estimate = 0;
    const monitors: { stop(): void }[] = [];
    let onAbort: (() => void) | undefined;
    let poll: NodeJS.Timeout | undefined;
    const progress = (): void => {
      if (estimate > 0) onProgress(Math.min(1, Math.max(0, runtime / estimate)));
    };
    const watch = async (id: NodeId | undefined, set: (v: number) => void): Promise<void> => {
      if (!id) return;
      monitors.push(
        await this.conn.monitor(id, this.samplingIntervalMs, (dv) => {
          set(Number(fromDataValue(dv) ?? 0));
          progress();
        }),
      );
    };
    try {
      await watch(u.currentRuntime, (v) => (runtime = v));
      await watch(u.estimatedRuntime, (v) => (estimate = v));
      let end!: (s: 'Stopped' | 'Aborted') => void;
      let fail!: (e: unknown) => void;
      const ended = new Promise<'Stopped' | 'Aborted'>((resolve, reject) => {
        end = resolve;
        fail = reject;
      });
      ended.catch(() => undefined); // handled below; do not report a rejection that arrives during start()
      onAbort = () => fail(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      const onState = (s: string): void => {
        if (!started) return;
        if (s === 'Running' || s === 'Stopping' || s === 'Aborting') running = true;
        if (s !== 'Stopped' && s !== 'Aborted') return;
        if (running) return end(s);
        // Not seen running: a quick run, or the state from before the start. Our stopped result tells.
        this.find(u, taskId).then((f) => f?.stopped && end(s), fail);
      };
      // A new monitored item reports the state it finds first. That report says nothing about our run, and if it
      // arrived after StartProgram it would read as our run's end (a quick run, seen Running by the read below, then
      // "Stopped" from before the start): take it before starting.
      let seen!: () => void;
      const firstReport = new Promise<void>((resolve) => (seen = resolve));
      monitors.push(
        await this.conn.monitor(u.currentState, this.samplingIntervalMs, (dv) => {
          seen();
          onState(stateText(fromDataValue(dv)));
        }),
      );
      if (start) {
        await firstReportOrTimeout(firstReport, FIRST_REPORT_WAIT_MS);
        await start();
        started = true;
        onState(await this.state(u));
      }
      // A safety net under the monitored state: our run's result in the ResultSet means it has ended, even if a
      // state notification never came (seen once on a loaded CI machine: a refill followed until its timeout).
      poll = setInterval(() => {
        this.find(u, taskId)
          .then(async (f) => {
            if (!f?.stopped || f.active) return;
            const s = await this.state(u);
            logger.warn(
              `run ${f.runId} (task ${taskId}) ended without a state notification; found by its result`,
            );
            end(s === 'Aborted' ? 'Aborted' : 'Stopped');
          })
          .catch(() => undefined);
      }, RESULT_POLL_MS);
      return await ended;
    } finally {
      clearInterval(poll);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      for (const m of monitors) m.stop();
    }
  }

  /** The run that carries `taskId` as its SupervisoryTaskId, if the device has one. */
  async find(u: LadsUnit, taskId: string): Promise<FoundRun | undefined> {
    const session = this.conn.requireSession();
    const ns = await this.nodes.namespaceIndex(LADS_NAMESPACE);
    const results = await this.nodes.children(u.resultSet);
    if (results.length === 0) return undefined;
    const paths = results.flatMap((r) =>
      ['SupervisoryTaskId', 'DeviceProgramRunId', 'Stopped'].map((n) =>
        makeBrowsePath(r.nodeId, `/${ns}:${n}`),
      ),
    );
    const targets = await session.translateBrowsePath(paths);
    const ids = targets.map((t) => t.targets?.[0]?.targetId);
    const values = await session.read(
      ids.map((nodeId) => ({ nodeId: nodeId ?? 'i=0', attributeId: AttributeIds.Value })),
    );
    for (const [i, r] of results.entries()) {
      const [task, run, stopped] = [0, 1, 2].map((k) => {
        const dv = values[i * 3 + k];
        return ids[i * 3 + k] && dv ? fromDataValue(dv) : undefined;
      });
      if (task !== taskId) continue;
      const runId = typeof run === 'string' ? run : (r.browseName.name ?? '');
      const active = (await this.state(u)) === 'Running' && (await this.activeRunId(u)) === runId;
      return { result: r.nodeId, runId, active, stopped: stopped !== null && stopped !== undefined };
    }
    return undefined;
  }

  /** The variables of a run's VariableSet, by browse name; waits briefly for ones the device is still adding. */
  async readResult(result: NodeId, wanted: readonly string[]): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      const set = await this.nodes.child(result, 'VariableSet');
      const values: Record<string, unknown> = {};
      for (const v of set ? await this.nodes.children(set) : []) {
        const name = v.browseName.name;
        if (name) values[name] = await this.ops.readNode(v.nodeId);
      }
      const missing = wanted.filter((w) => !(w in values));
      if (missing.length === 0) return values;
      if (attempt >= 20)
        throw new OpFailure(
          'RESULT_MISSING',
          `the run's result has no ${missing.join(', ')} (found ${Object.keys(values).join(', ') || 'nothing'})`,
        );
      await sleep(this.clock, 100);
    }
  }

  async stop(u: LadsUnit): Promise<void> {
    if (!u.stop) throw new OpFailure('LADS_INCOMPATIBLE', 'the FunctionalUnit has neither Abort nor Stop');
    const r = await this.conn
      .requireSession()
      .call({ objectId: u.stateMachine, methodId: u.stop, inputArguments: [] });
    if (!r.statusCode.isGood())
      throw new OpFailure(`OPCUA_${r.statusCode.name}`, `abort: the device answered ${r.statusCode.name}`);
  }

  private async activeRunId(u: LadsUnit): Promise<string | undefined> {
    if (!u.runId) return undefined;
    const v = await this.ops.readNode(u.runId).catch(() => undefined);
    return typeof v === 'string' ? v : undefined;
  }

  private async findUnit(ref: string): Promise<LadsUnit> {
    const fu = await this.nodes.resolve(ref);
    const need = async (parent: NodeId, name: string, what: string): Promise<NodeId> => {
      const id = await this.nodes.child(parent, name);
      if (!id) throw new OpFailure('LADS_INCOMPATIBLE', `${ref}: no ${what} (${name})`);
      return id;
    };
    const sm =
      (await this.nodes.child(fu, 'FunctionalUnitState')) ??
      (await need(fu, 'StateMachine', 'state machine'));
    const pm = await need(fu, 'ProgramManager', 'program manager');
    const active = await this.nodes.child(pm, 'ActiveProgram');
    const opt = (name: string) => (active ? this.nodes.child(active, name) : Promise.resolve(undefined));
    return {
      stateMachine: sm,
      currentState: await need(sm, 'CurrentState', 'current state'),
      startProgram: await need(sm, 'StartProgram', 'StartProgram method'),
      stop: (await this.nodes.child(sm, 'Abort')) ?? (await this.nodes.child(sm, 'Stop')),
      resultSet: await need(pm, 'ResultSet', 'result set'),
      templateSet: await this.nodes.child(pm, 'ProgramTemplateSet'),
      runId: await opt('DeviceProgramRunId'),
      currentRuntime: await opt('CurrentRuntime'),
      estimatedRuntime: await opt('EstimatedRuntime'),
    };
  }
}

/** Real time to wait for a monitored item's first report (servers send it within a publishing interval). */
const FIRST_REPORT_WAIT_MS = 2000;
/** How often (wall time) a followed run's result is looked for, in case its end was never notified. */
const RESULT_POLL_MS = 2000;
const logger = new Logger('opcua:lads');

function firstReportOrTimeout(report: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([report, timeout]).finally(() => clearTimeout(timer));
}

function stateText(v: unknown): string {
  const text = v instanceof LocalizedText ? (v.text ?? '') : typeof v === 'string' ? v : '';
  // Some servers qualify state names ("6:Running"); compare the bare name.
  return text.slice(text.lastIndexOf(':') + 1);
}
