/**
 * What an OPC UA instrument reports about itself, read from its server: for each mapped action, the type of every
 * parameter written or passed straight to a node or method argument (`${params.x}`), with the node's EURange as its
 * accepted range; LADS programs whose template the unit offers; the type of each reading. Partial by nature — a
 * parameter transformed by an expression cannot be inspected — so absent parameters are unknown, not missing. An
 * action whose nodes cannot be found is left out: the campaign-start check then reports it.
 */
import { AttributeIds, type NodeId } from 'node-opcua';
import type { Logger } from '@nestjs/common';
import { describeError } from '../../src/common/lab-error.js';
import type { InstrumentDescription, ValueSpec } from '../../src/lab/instrument-driver.port.js';
import type { LadsClient } from './lads-program.js';
import type { NodeResolver } from './opcua-nodes.js';
import type { CompiledOp, OperationRunner } from './opcua-operations.js';
import { valueTypeOf } from './opcua-values.js';

export interface DescribeInput {
  operations: Record<string, readonly CompiledOp[]>;
  lads?: { functionalUnit: string; programs: Record<string, { template: string; functionalUnit?: string }> };
  readingNodes: Record<string, string>;
}

export async function describeFromServer(
  input: DescribeInput,
  nodes: NodeResolver,
  ops: OperationRunner,
  lads: LadsClient,
  logger: Logger,
): Promise<InstrumentDescription> {
  const d: InstrumentDescription = { partial: true, actions: {}, readings: {} };
  for (const [action, steps] of Object.entries(input.operations)) {
    try {
      d.actions[action] = { params: await paramsOf(steps, nodes, ops), result: {} };
    } catch (e) {
      logger.warn(`action ${action} not offered by the server: ${describeError(e)}`);
    }
  }
  for (const [action, program] of Object.entries(input.lads?.programs ?? {})) {
    try {
      const unit = await lads.unit(program.functionalUnit ?? input.lads?.functionalUnit ?? '');
      const templates = await lads.templates(unit);
      // A unit that publishes no templates may still run the program: it cannot say.
      if (templates.length === 0 || templates.includes(program.template))
        d.actions[action] = { params: {}, result: {} };
      else
        logger.warn(
          `action ${action}: the unit offers no template ${program.template} (it has ${templates.join(', ')})`,
        );
    } catch (e) {
      logger.warn(`action ${action} not offered by the server: ${describeError(e)}`);
    }
  }
  for (const [reading, ref] of Object.entries(input.readingNodes)) {
    try {
      const type = valueTypeOf(await ops.dataTypeOf(await nodes.resolve(ref)));
      if (type) d.readings[reading] = { type };
    } catch (e) {
      logger.warn(`reading ${reading}: ${describeError(e)}`);
    }
  }
  return d;
}

async function paramsOf(
  steps: readonly CompiledOp[],
  nodes: NodeResolver,
  ops: OperationRunner,
): Promise<Record<string, ValueSpec>> {
  const params: Record<string, ValueSpec> = {};
  for (const op of steps) {
    if (op.kind === 'write') {
      const nodeId = await nodes.resolve(op.node);
      const type = valueTypeOf(await ops.dataTypeOf(nodeId));
      if (op.value.param && type) params[op.value.param] = { type, ...(await range(nodeId, nodes)) };
    } else if (op.kind === 'call') {
      const { inputs } = await ops.signature(op.object, op.method);
      for (const [i, arg] of inputs.entries()) {
        const p = op.args[i]?.param;
        const type = valueTypeOf(arg.type);
        if (p && type) params[p] = { type };
      }
    } else {
      await nodes.resolve(op.node);
    }
  }
  return params;
}

/** The EURange of an analog variable, as the accepted range of what is written to it. */
async function range(nodeId: NodeId, nodes: NodeResolver): Promise<{ min?: number; max?: number }> {
  const eu = await nodes.child(nodeId, 'EURange');
  if (!eu) return {};
  const dv = await nodes.session().read({ nodeId: eu, attributeId: AttributeIds.Value });
  const r = dv.value.value as { low?: unknown; high?: unknown } | null;
  if (!r || typeof r.low !== 'number' || typeof r.high !== 'number') return {};
  return { min: r.low, max: r.high };
}
