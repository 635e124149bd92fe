/**
 * Checks on an OPC UA instrument entry beyond its schema: every action is mapped exactly once (operations or a LADS
 * program), mappings name declared actions, readings and results, expressions name real parameters, node ids use
 * declared namespace aliases. Nothing here connects to the server.
 */
import type { PathKey } from '../../src/common/schema-messages.js';
import type { OpcuaOperation } from './opcua.lab-schema.js';
import { templateProblems, type TemplateValue } from './opcua-template.js';

export interface OpcuaFinding {
  path: PathKey[];
  message: string;
  atKey?: boolean;
}

/** The slice of an OPC UA instrument entry the checks read (the lab schema's output type is wider). */
export interface OpcuaEntry {
  actions: Record<string, { params: Record<string, unknown>; result: Record<string, unknown> }>;
  readings: Record<string, unknown>;
  namespaces: Record<string, string>;
  readingNodes: Record<string, string>;
  operations: Record<string, { steps: OpcuaOperation[] }>;
  abort: OpcuaOperation[];
  lads?: { functionalUnit: string; programs: Record<string, { properties: Record<string, TemplateValue> }> };
}

export function checkOpcuaInstrument(id: string, inst: OpcuaEntry): OpcuaFinding[] {
  const at = (...p: PathKey[]): PathKey[] => ['instruments', id, ...p];
  const out: OpcuaFinding[] = [];
  const programs = inst.lads?.programs ?? {};
  for (const action of Object.keys(inst.actions)) {
    const mapped = (action in inst.operations ? 1 : 0) + (action in programs ? 1 : 0);
    if (mapped === 0)
      out.push({
        path: at('actions', action),
        message: 'not mapped: add it under operations (OPC UA steps) or lads.programs',
        atKey: true,
      });
    if (mapped === 2)
      out.push({ path: at('operations', action), message: 'mapped twice: also a LADS program', atKey: true });
  }
  for (const action of Object.keys(inst.operations)) {
    const declared = inst.actions[action];
    if (!declared) {
      out.push({ path: at('operations', action), message: `no action "${action}" in actions`, atKey: true });
      continue;
    }
    out.push(...checkSteps(inst, action, Object.keys(declared.params), Object.keys(declared.result), at));
  }
  for (const [action, program] of Object.entries(programs)) {
    const declared = inst.actions[action];
    if (!declared) {
      out.push({
        path: at('lads', 'programs', action),
        message: `no action "${action}" in actions`,
        atKey: true,
      });
      continue;
    }
    for (const [key, value] of Object.entries(program.properties)) {
      for (const m of templateProblems(value, Object.keys(declared.params)))
        out.push({ path: at('lads', 'programs', action, 'properties', key), message: m });
    }
  }
  inst.abort.forEach((op, i) => {
    for (const m of operationProblems(inst, op, [])) out.push({ path: at('abort', i), message: m });
  });
  for (const [reading, node] of Object.entries(inst.readingNodes)) {
    if (!(reading in inst.readings))
      out.push({
        path: at('readingNodes', reading),
        message: `no reading "${reading}" in readings`,
        atKey: true,
      });
    for (const m of nodeProblems(inst, node)) out.push({ path: at('readingNodes', reading), message: m });
  }
  for (const reading of Object.keys(inst.readings)) {
    if (!(reading in inst.readingNodes))
      out.push({ path: at('readings', reading), message: 'no node: add it under readingNodes', atKey: true });
  }
  if (inst.lads)
    for (const m of nodeProblems(inst, inst.lads.functionalUnit))
      out.push({ path: at('lads', 'functionalUnit'), message: m });
  return out;
}

function checkSteps(
  inst: OpcuaEntry,
  action: string,
  params: string[],
  results: string[],
  at: (...p: PathKey[]) => PathKey[],
): OpcuaFinding[] {
  const out: OpcuaFinding[] = [];
  const produced = new Set<string>();
  inst.operations[action]?.steps.forEach((op, i) => {
    const path = at('operations', action, 'steps', i);
    for (const m of operationProblems(inst, op, params)) out.push({ path, message: m });
    const made =
      'read' in op ? [op.read.into] : 'call' in op ? op.call.outputs.filter((o): o is string => !!o) : [];
    for (const r of made) {
      if (!results.includes(r))
        out.push({
          path,
          message: `${action} has no result "${r}"; declare it under actions.${action}.result`,
        });
      produced.add(r);
    }
  });
  for (const r of results) {
    if (!produced.has(r))
      out.push({
        path: at('actions', action, 'result', r),
        message: 'no operation produces it: add a read (into) or a call output',
        atKey: true,
      });
  }
  return out;
}

function operationProblems(inst: OpcuaEntry, op: OpcuaOperation, params: string[]): string[] {
  const values: TemplateValue[] = [];
  const nodes: string[] = [];
  if ('write' in op) {
    values.push(op.write.value);
    nodes.push(op.write.node);
  } else if ('call' in op) {
    values.push(...op.call.args);
    nodes.push(op.call.object);
    if (looksLikeNode(op.call.method)) nodes.push(op.call.method);
  } else if ('wait' in op) {
    nodes.push(op.wait.node);
    if (op.wait.equals !== undefined) values.push(op.wait.equals);
    if (op.wait.near !== undefined) values.push(op.wait.near);
  } else {
    nodes.push(op.read.node);
  }
  return [
    ...values.flatMap((v) => templateProblems(v, params)),
    ...nodes.flatMap((n) => nodeProblems(inst, n)),
  ];
}

function looksLikeNode(text: string): boolean {
  return text.startsWith('/') || /^(ns|nsu)=|^[isgb]=/.test(text);
}

/** A `ns=<alias>` must be a declared alias (or a number). */
function nodeProblems(inst: OpcuaEntry, node: string): string[] {
  const m = /^ns=([^;]+);/.exec(node);
  if (m?.[1] && !/^\d+$/.test(m[1]) && !(m[1] in inst.namespaces))
    return [`unknown namespace alias "${m[1]}": add it under namespaces`];
  for (const seg of node.startsWith('/') ? node.slice(1).split('/') : []) {
    const q = /^([^:]+):/.exec(seg);
    if (q?.[1] && !/^\d+$/.test(q[1]) && !(q[1] in inst.namespaces))
      return [`unknown namespace alias "${q[1]}" in the browse path: add it under namespaces`];
  }
  return [];
}
