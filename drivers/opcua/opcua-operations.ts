/**
 * Runs the OPC UA operations an action maps to — write, call, wait, read — on the live session. A Bad status, a
 * value that does not fit its node, or a condition not met in time ends the command with a coded failure; the
 * caller's AbortSignal stops a wait at once. Waits follow their variable by subscription, never by polling, and a
 * lost link breaks a hold: a value not seen is not a value that held.
 */
import {
  AttributeIds,
  findBasicDataType,
  StatusCodes,
  type DataType,
  type NodeId,
  type StatusCode,
} from 'node-opcua';
import { abortReason, type Clock, type Timer } from '../../src/common/clock.js';
import { formatDuration, parseDuration } from '../../src/common/durations.js';
import type { OpcuaOperation } from './opcua.lab-schema.js';
import type { OpcuaConnection } from './opcua-connection.js';
import type { NodeResolver } from './opcua-nodes.js';
import {
  compileTemplate,
  type Template,
  type TemplateContext,
  type TemplateValue,
} from './opcua-template.js';
import { fromDataValue, fromVariant, toVariant, ValueConversionError } from './opcua-values.js';

/** An expected way for a command to fail, with the code the outcome carries. */
export class OpFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type CompiledOp =
  | { kind: 'write'; node: string; value: Template }
  | { kind: 'call'; object: string; method: string; args: Template[]; outputs: (string | null)[] }
  | {
      kind: 'wait';
      node: string;
      equals?: Template;
      near?: Template;
      tolerance: number;
      holdMs: number;
      timeoutMs: number;
    }
  | { kind: 'read'; node: string; into: string };

export function compileOperation(op: OpcuaOperation): CompiledOp {
  if ('write' in op) return { kind: 'write', node: op.write.node, value: compileTemplate(op.write.value) };
  if ('call' in op)
    return {
      kind: 'call',
      object: op.call.object,
      method: op.call.method,
      args: op.call.args.map(compileTemplate),
      outputs: op.call.outputs,
    };
  if ('wait' in op) {
    const w = op.wait;
    return {
      kind: 'wait',
      node: w.node,
      equals: w.equals === undefined ? undefined : compileTemplate(w.equals),
      near: w.near === undefined ? undefined : compileTemplate(w.near),
      tolerance: w.tolerance ?? 0,
      holdMs: parseDuration(w.hold) ?? 0,
      timeoutMs: parseDuration(w.timeout) ?? 0,
    };
  }
  return { kind: 'read', node: op.read.node, into: op.read.into };
}

/** Whether repeating these operations is harmless by construction (nothing but reads and waits). */
export function onlyObserves(ops: readonly CompiledOp[]): boolean {
  return ops.every((o) => o.kind === 'read' || o.kind === 'wait');
}

export interface MethodSignature {
  objectId: NodeId;
  methodId: NodeId;
  inputs: { name: string; type: DataType }[];
}

export class OperationRunner {
  private readonly types = new Map<string, DataType>();
  private readonly signatures = new Map<string, Promise<MethodSignature>>();
  private generation = -1;

  constructor(
    private readonly conn: OpcuaConnection,
    private readonly nodes: NodeResolver,
    private readonly clock: Clock,
    private readonly samplingIntervalMs: number,
  ) {}

  /** Runs `ops` in order; the result collects reads and call outputs. */
  async run(
    ops: readonly CompiledOp[],
    t: TemplateContext,
    signal: AbortSignal,
    onStep?: (done: number, total: number) => void,
  ): Promise<Record<string, unknown>> {
    const result: Record<string, unknown> = {};
    for (const [i, op] of ops.entries()) {
      if (signal.aborted) throw abortReason(signal);
      switch (op.kind) {
        case 'write':
          await this.write(op.node, evaluate(op.value, t));
          break;
        case 'call':
          Object.assign(result, await this.call(op, t));
          break;
        case 'wait':
          await this.wait(op, t, signal);
          break;
        case 'read':
          result[op.into] = await this.read(op.node);
          break;
      }
      onStep?.(i + 1, ops.length);
    }
    return result;
  }

  async write(ref: string, value: TemplateValue): Promise<void> {
    const nodeId = await this.nodes.resolve(ref);
    const variant = convert(value, await this.dataTypeOf(nodeId), ref);
    const status = await this.conn.requireSession().write({
      nodeId,
      attributeId: AttributeIds.Value,
      value: { value: variant },
    });
    // GoodClamped: the server stored another value than the one asked for; the experiment did not get its value.
    if (!status.isGood() || status.value === StatusCodes.GoodClamped.value)
      throw badStatus(`writing ${ref}`, status);
  }

  async read(ref: string): Promise<unknown> {
    return this.readNode(await this.nodes.resolve(ref), ref);
  }

  async readNode(nodeId: NodeId, shown = nodeId.toString()): Promise<unknown> {
    const dv = await this.conn.requireSession().read({ nodeId, attributeId: AttributeIds.Value });
    if (!dv.statusCode.isGood()) throw badStatus(`reading ${shown}`, dv.statusCode);
    return fromDataValue(dv);
  }

  /** The built-in type of a variable's value (cached: data types do not change while a server runs). */
  async dataTypeOf(nodeId: NodeId): Promise<DataType> {
    this.checkGeneration();
    const key = nodeId.toString();
    const hit = this.types.get(key);
    if (hit !== undefined) return hit;
    const session = this.conn.requireSession();
    const dv = await session.read({ nodeId, attributeId: AttributeIds.DataType });
    if (!dv.statusCode.isGood()) throw badStatus(`inspecting ${key}`, dv.statusCode);
    const type = await findBasicDataType(session, dv.value.value as NodeId);
    this.types.set(key, type);
    return type;
  }

  /** The object and method nodes of a call, the method given as a node or a browse name under the object. */
  async methodOf(objectRef: string, methodRef: string): Promise<{ objectId: NodeId; methodId: NodeId }> {
    const objectId = await this.nodes.resolve(objectRef);
    const byName = !methodRef.startsWith('/') && !/^(ns|nsu)=|^[isgb]=/.test(methodRef);
    const methodId = byName
      ? await this.nodes.child(objectId, methodRef)
      : await this.nodes.resolve(methodRef);
    if (!methodId) throw new OpFailure('NODE_NOT_FOUND', `${objectRef} has no method "${methodRef}"`);
    return { objectId, methodId };
  }

  /**
   * A method's nodes and input types, looked up once (cached until the server loses our session): without the cache
   * a call costs a browse and several reads before the call itself.
   */
  signature(objectRef: string, methodRef: string): Promise<MethodSignature> {
    this.checkGeneration();
    const key = `${objectRef}|${methodRef}`;
    let sig = this.signatures.get(key);
    if (!sig) {
      sig = this.lookUpSignature(objectRef, methodRef);
      this.signatures.set(key, sig);
      sig.catch(() => this.signatures.delete(key));
    }
    return sig;
  }

  private async lookUpSignature(objectRef: string, methodRef: string): Promise<MethodSignature> {
    const session = this.conn.requireSession();
    const { objectId, methodId } = await this.methodOf(objectRef, methodRef);
    const def = await session.getArgumentDefinition(methodId);
    const inputs = [];
    for (const [i, arg] of (def.inputArguments ?? []).entries())
      inputs.push({ name: arg.name ?? String(i), type: await findBasicDataType(session, arg.dataType) });
    return { objectId, methodId, inputs };
  }

  private checkGeneration(): void {
    if (this.generation === this.conn.generation) return;
    this.generation = this.conn.generation;
    this.types.clear();
    this.signatures.clear();
  }

  private async call(
    op: Extract<CompiledOp, { kind: 'call' }>,
    t: TemplateContext,
  ): Promise<Record<string, unknown>> {
    const { objectId, methodId, inputs } = await this.signature(op.object, op.method);
    if (inputs.length !== op.args.length)
      throw new OpFailure(
        'BAD_PARAMETER',
        `${op.method} takes ${inputs.length} arguments, the lab file gives ${op.args.length}`,
      );
    const inputArguments = inputs.map((arg, i) =>
      convert(evaluate(op.args[i] as Template, t), arg.type, `${op.method} argument ${arg.name}`),
    );
    const r = await this.conn.requireSession().call({ objectId, methodId, inputArguments });
    if (!r.statusCode.isGood()) throw badStatus(`calling ${op.method}`, r.statusCode);
    const out: Record<string, unknown> = {};
    op.outputs.forEach((name, i) => {
      const v = r.outputArguments?.[i];
      if (name && v) out[name] = fromVariant(v);
    });
    return out;
  }

  private async wait(
    op: Extract<CompiledOp, { kind: 'wait' }>,
    t: TemplateContext,
    signal: AbortSignal,
  ): Promise<void> {
    const nodeId = await this.nodes.resolve(op.node);
    const target = op.equals ? evaluate(op.equals, t) : evaluate(op.near as Template, t);
    if (op.near && typeof target !== 'number')
      throw new OpFailure('BAD_PARAMETER', `near needs a number, got ${JSON.stringify(target)}`);
    const what = op.equals
      ? `equal ${JSON.stringify(target)}`
      : `stay within ±${op.tolerance} of ${target as number}`;
    const meets = (v: unknown): boolean =>
      op.equals
        ? sameValue(v, target)
        : typeof v === 'number' && Math.abs(v - (target as number)) <= op.tolerance;
    // One fresh read first: a condition already met (and with nothing to hold) needs no monitored item. A monitored
    // item's first value is as fresh, but creating and deleting one costs a publishing interval or more.
    let last: unknown = await this.readNode(nodeId, op.node).catch(() => undefined);
    if (op.holdMs === 0 && meets(last)) return;
    await new Promise<void>((resolve, reject) => {
      let hold: Timer | undefined;
      let finished = false;
      let stopMonitor = (): void => undefined;
      const finish = (error?: Error): void => {
        if (finished) return;
        finished = true;
        timeout.cancel();
        hold?.cancel();
        stopMonitor();
        link.unsubscribe();
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void => finish(abortReason(signal));
      const timeout = this.clock.setTimer(op.timeoutMs, () =>
        finish(
          new OpFailure(
            'CONDITION_TIMEOUT',
            `${op.node} did not ${what}${op.holdMs > 0 ? ` for ${formatDuration(op.holdMs)}` : ''} within ${formatDuration(op.timeoutMs)} (last value ${JSON.stringify(last) ?? 'none'})`,
          ),
        ),
      );
      const link = this.conn.up$.subscribe((up) => {
        if (up) return;
        hold?.cancel();
        hold = undefined;
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.conn
        .monitor(nodeId, this.samplingIntervalMs, (dv) => {
          last = fromDataValue(dv);
          if (!meets(last)) {
            hold?.cancel();
            hold = undefined;
          } else if (!hold) {
            hold = this.clock.setTimer(op.holdMs, () => finish());
          }
        })
        .then(
          (m) => {
            if (finished) m.stop();
            else stopMonitor = () => m.stop();
          },
          (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
        );
    });
  }
}

function evaluate(t: Template, ctx: TemplateContext): TemplateValue {
  try {
    return t.evaluate(ctx);
  } catch (e) {
    throw new OpFailure('BAD_PARAMETER', e instanceof Error ? e.message : String(e));
  }
}

function convert(value: TemplateValue, type: DataType, what: string): ReturnType<typeof toVariant> {
  try {
    return toVariant(value, type);
  } catch (e) {
    if (e instanceof ValueConversionError) throw new OpFailure('BAD_PARAMETER', `${what}: ${e.message}`);
    throw e;
  }
}

/** Equal, or the same scalar written as a number and as text (3 and "3"). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const scalar = (x: unknown): x is number | string | boolean =>
    typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean';
  return scalar(a) && scalar(b) && typeof a !== typeof b && String(a) === String(b);
}

function badStatus(what: string, status: StatusCode): OpFailure {
  return new OpFailure(
    `OPCUA_${status.name}`,
    `${what}: the server answered ${status.name} (${status.description})`,
  );
}
