/**
 * The program manager of a LADS functional unit: program templates, StartProgram(ProgramTemplateId, Properties,
 * SupervisoryJobId, SupervisoryTaskId, Samples) → DeviceProgramRunId, the ActiveProgram fields while a run goes on,
 * and one Result per run in the ResultSet (SupervisoryJobId, SupervisoryTaskId, Started, Stopped and a VariableSet
 * with the run's values), complete before the unit leaves Running — as OPC 30500-1 §7.2 requires.
 */
import {
  coerceLocalizedText,
  DataType,
  StatusCodes,
  Variant,
  VariantArrayType,
  type CallMethodResultOptions,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import { sleep, type Clock } from '../../../src/common/clock.js';
import { deriveSeed, SeededRandom } from '../../../src/common/seeded-random.js';
import { SimActionError } from '../../common/sim-model.js';
import type { CallGate } from './call-gate.js';
import type { LadsServer } from './lads-server.js';
import type { LadsUnit } from './lads-unit.js';

export type ResultVariable =
  | { dataType: 'Double'; value: number }
  | { dataType: 'String'; value: string }
  | { dataType: 'DoubleArray'; value: number[] }
  | { dataType: 'StringArray'; value: string[] };

export interface ProgramRun {
  runId: string;
  properties: Record<string, string>;
  jobId: string;
  taskId: string;
  signal: AbortSignal;
  rng: SeededRandom;
  /** Waits lab time; rejects when the run is stopped or aborted. */
  wait(ms: number): Promise<void>;
  step(name: string, number: number): void;
}

export interface ProgramDef {
  /** The ProgramTemplateId clients pass to StartProgram. */
  id: string;
  description: string;
  /** Name of the run for faults and the audit (e.g. analyze). */
  action: string;
  estimatedMs: number;
  run(r: ProgramRun): Promise<Record<string, ResultVariable>>;
}

interface Active {
  runId: string;
  taskId: string;
  /** Hit by a stuck fault: Stop and Abort leave it hanging in Stopping/Aborting; only Clear ends it. */
  stuck: boolean;
  controller: AbortController;
  done: Promise<void>;
}

export class ProgramManager {
  private readonly node: UAObject;
  private readonly active: UAObject;
  private readonly results: UAObject;
  private readonly byTask = new Map<string, string>();
  private current?: Active;
  private seq = 0;

  constructor(
    private readonly server: LadsServer,
    private readonly unit: LadsUnit,
    private readonly defs: ProgramDef[],
    private readonly o: { clock: Clock; gate: CallGate; seed: number },
  ) {
    this.node = unit.node.getChildByName('ProgramManager') as UAObject;
    this.active = this.node.getChildByName('ActiveProgram') as UAObject;
    this.results = this.node.getChildByName('ResultSet') as UAObject;
    const templates = this.node.getChildByName('ProgramTemplateSet') as UAObject;
    for (const def of defs) {
      const t = server.objectType('ProgramTemplateType').instantiate({
        browseName: { name: def.id, namespaceIndex: server.namespace.index },
        componentOf: templates,
      });
      setProp(t, 'Description', {
        dataType: DataType.LocalizedText,
        value: coerceLocalizedText(def.description),
      });
      setProp(t, 'DeviceTemplateId', { dataType: DataType.String, value: def.id });
      setProp(t, 'Author', { dataType: DataType.String, value: 'labloop' });
      setProp(t, 'Version', { dataType: DataType.String, value: '1' });
    }
    const runtime = this.active.getChildByName('CurrentRuntime') as UAVariable | null;
    runtime?.bindVariable(
      { get: () => new Variant({ dataType: DataType.Double, value: this.runtimeMs() }) },
      true,
    );
    if (runtime) runtime.minimumSamplingInterval = 10;
    const sm = unit.node.getChildByName('FunctionalUnitState') as UAObject;
    unit.bind(sm, 'StartProgram', (args) => this.startProgram(args));
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  private startedAt = 0;

  private runtimeMs(): number {
    return this.current ? this.o.clock.now() - this.startedAt : 0;
  }

  private async startProgram(args: Variant[]): Promise<CallMethodResultOptions> {
    const templateId = String(args[0]?.value ?? '');
    const jobId = String(args[2]?.value ?? '');
    const taskId = String(args[3]?.value ?? '');
    const known = taskId ? this.byTask.get(taskId) : undefined;
    if (known) return runIdResult(known);
    const def = this.defs.find((d) => d.id === templateId);
    if (!def) return { statusCode: StatusCodes.BadInvalidArgument };
    if (this.current || !(this.unit.state.getCurrentState() ?? '').includes('Stopped'))
      return { statusCode: StatusCodes.BadInvalidState };
    const properties = keyValues(args[1]);
    return this.o.gate.call(def.action, taskId || this.unit.nextCallId(def.action), ({ stuck }) => {
      const runId = `${def.id}-${++this.seq}`;
      if (taskId) this.byTask.set(taskId, runId);
      this.launch(def, { runId, jobId, taskId, properties, stuck, args });
      return runIdResult(runId);
    });
  }

  private launch(
    def: ProgramDef,
    r: {
      runId: string;
      jobId: string;
      taskId: string;
      properties: Record<string, string>;
      stuck: boolean;
      args: Variant[];
    },
  ): void {
    const controller = new AbortController();
    const started = this.o.clock.now();
    this.startedAt = started;
    this.unit.state.setState('Running');
    setProp(this.active, 'DeviceProgramRunId', { dataType: DataType.String, value: r.runId });
    setProp(this.active, 'EstimatedRuntime', { dataType: DataType.Double, value: def.estimatedMs });
    const run: ProgramRun = {
      runId: r.runId,
      properties: r.properties,
      jobId: r.jobId,
      taskId: r.taskId,
      signal: controller.signal,
      rng: new SeededRandom(deriveSeed(this.o.seed, this.server.o.device, this.unit.name, this.seq)),
      wait: (ms) => sleep(this.o.clock, ms, controller.signal),
      step: (name, n) => {
        setProp(this.active, 'CurrentStepName', {
          dataType: DataType.LocalizedText,
          value: coerceLocalizedText(name),
        });
        setProp(this.active, 'CurrentStepNumber', { dataType: DataType.UInt32, value: n });
      },
    };
    const body = async (): Promise<void> => {
      let values: Record<string, ResultVariable> = {};
      let outcome = 'Completed';
      try {
        // A stuck run never gets anywhere until it is cleared (Clear, or the fault's own end).
        if (r.stuck)
          await new Promise<void>((_, reject) =>
            controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error)),
          );
        values = await def.run(run);
      } catch (e) {
        outcome =
          e instanceof SimActionError
            ? `Failed: ${e.code}: ${e.message}`
            : `Aborted: ${(e as Error).message}`;
      }
      this.addResult(def, r, started, values, outcome);
      this.current = undefined;
      if (outcome === 'Completed') this.unit.state.setState('Stopped');
      else if (outcome.startsWith('Failed')) this.unit.state.setState('Aborted');
    };
    this.current = { runId: r.runId, taskId: r.taskId, stuck: r.stuck, controller, done: body() };
  }

  /** Ends the active run through a transitional state (Stop → Stopped, Abort → Aborted). */
  async stop(via: string, to: string): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    this.unit.state.setState(via);
    if (cur.stuck) return; // never leaves the transitional state (a watchdog's case)
    cur.controller.abort(new Error(to === 'Aborted' ? 'aborted' : 'stopped'));
    await cur.done;
    await this.unit.transition(this.unit.state, via, to);
  }

  /** Clear (a reset) ends a stuck run too. */
  clear(): void {
    this.current?.controller.abort(new Error('cleared'));
  }

  private addResult(
    def: ProgramDef,
    r: { runId: string; jobId: string; taskId: string; args: Variant[] },
    started: number,
    values: Record<string, ResultVariable>,
    outcome: string,
  ): void {
    const ns = this.server.namespace;
    const result = this.server.objectType('ResultType').instantiate({
      browseName: { name: r.runId, namespaceIndex: ns.index },
      componentOf: this.results,
      optionals: ['DeviceProgramRunId', 'TotalRuntime'],
    });
    const now = this.o.clock.now();
    setProp(result, 'SupervisoryJobId', { dataType: DataType.String, value: r.jobId });
    setProp(result, 'SupervisoryTaskId', { dataType: DataType.String, value: r.taskId });
    setProp(result, 'DeviceProgramRunId', { dataType: DataType.String, value: r.runId });
    setProp(result, 'Started', { dataType: DataType.DateTime, value: new Date(started) });
    setProp(result, 'Stopped', { dataType: DataType.DateTime, value: new Date(now) });
    setProp(result, 'TotalRuntime', { dataType: DataType.Double, value: now - started });
    setProp(result, 'Description', {
      dataType: DataType.LocalizedText,
      value: coerceLocalizedText(`${def.id}: ${outcome}`),
    });
    setProp(result, 'User', { dataType: DataType.String, value: 'labloop' });
    setProp(result, 'ApplicationUri', { dataType: DataType.String, value: 'urn:labloop:sim' });
    if (r.args[1]) (result.getChildByName('Properties') as UAVariable | null)?.setValueFromSource(r.args[1]);
    if (r.args[4]) (result.getChildByName('Samples') as UAVariable | null)?.setValueFromSource(r.args[4]);
    const set = result.getChildByName('VariableSet') as UAObject;
    const all: Record<string, ResultVariable> = {
      Outcome: { dataType: 'String', value: outcome },
      ...values,
    };
    for (const [name, v] of Object.entries(all)) {
      const array = v.dataType.endsWith('Array');
      const dataType = v.dataType.startsWith('Double') ? DataType.Double : DataType.String;
      // A getter, so each read encodes a fresh array (see float64Array).
      const variant = (): Variant =>
        new Variant({
          dataType,
          arrayType: array ? VariantArrayType.Array : VariantArrayType.Scalar,
          value: v.dataType === 'DoubleArray' ? float64Array(v.value) : v.value,
        });
      ns.addVariable({
        componentOf: set,
        browseName: name,
        dataType: dataType === DataType.Double ? 'Double' : 'String',
        valueRank: array ? 1 : -1,
        minimumSamplingInterval: 1000,
        value: { get: variant },
      });
    }
  }
}

/**
 * A Float64Array on memory from Buffer.alloc: node-opcua checks `buffer instanceof ArrayBuffer`, which fails for
 * typed arrays made inside Jest's VM context (its ArrayBuffer global is the outer realm's); a Buffer's memory passes
 * everywhere.
 */
function float64Array(values: readonly number[]): Float64Array {
  const memory = Buffer.alloc(values.length * 8);
  const out = new Float64Array(memory.buffer, memory.byteOffset, values.length);
  out.set(values);
  return out;
}

function runIdResult(runId: string): CallMethodResultOptions {
  return {
    statusCode: StatusCodes.Good,
    outputArguments: [new Variant({ dataType: DataType.String, value: runId })],
  };
}

function setProp(node: UAObject, name: string, value: { dataType: DataType; value: unknown }): void {
  (node.getChildByName(name) as UAVariable | null)?.setValueFromSource(value);
}

/** StartProgram's Properties (KeyValueType[]) as a plain record. */
function keyValues(v: Variant | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const items = Array.isArray(v?.value) ? (v.value as unknown[]) : [];
  for (const item of items) {
    const kv = item as { key?: unknown; value?: unknown; Key?: unknown; Value?: unknown };
    const key = kv.key ?? kv.Key;
    const value = kv.value ?? kv.Value;
    if (typeof key === 'string')
      out[key] = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  }
  return out;
}
