/**
 * Checks a campaign against its lab before anything moves: instruments and actions exist, parameters are typed
 * right, expressions name what exists, and no point of the search space can exceed a hard limit.
 */
import { didYouMean } from '../common/suggest.js';
import type { CampaignSpec, ParameterSpec } from './campaign.schema.js';
import { referencesIn } from './expressions.js';
import { limitFor, type Finding } from './lab.checks.js';
import type { LabSpec } from './lab.schema.js';

export function checkCampaign(c: CampaignSpec, lab: LabSpec): Finding[] {
  const stepResults = new Map<string, Set<string> | null>();
  return [...checkInputs(c), ...checkSteps(c, lab, stepResults), ...checkOutputs(c, stepResults)];
}

function checkInputs(c: CampaignSpec): Finding[] {
  const out: Finding[] = [];
  const inputs = c.protocol.inputs;
  for (const [p, spec] of Object.entries(c.parameters)) {
    const input = inputs[p];
    if (!input) {
      out.push({
        path: ['parameters', p],
        message: `not an input of the protocol${didYouMean(p, Object.keys(inputs))}`,
        atKey: true,
      });
      continue;
    }
    const numeric = input.type === 'number' || input.type === 'integer';
    if (spec.type !== 'categorical' && !numeric) {
      out.push({
        path: ['parameters', p, 'type'],
        message: `input ${p} is ${input.type}; a ${spec.type} parameter needs a number input`,
      });
    }
    if (spec.type !== 'categorical' && spec.min > spec.max) {
      out.push({
        path: ['parameters', p, 'max'],
        message: `expected max >= min (${spec.min}), got ${spec.max}`,
      });
    }
    if (spec.type !== 'categorical' && spec.log && spec.min <= 0) {
      out.push({
        path: ['parameters', p, 'min'],
        message: `a log-scale parameter needs min > 0, got ${spec.min}`,
      });
    }
  }
  for (const [name, input] of Object.entries(inputs)) {
    if (!c.parameters[name] && input.default === undefined) {
      out.push({ path: ['protocol', 'inputs', name], message: 'neither a parameter nor given a default' });
    }
  }
  return out;
}

/** Fills `earlier` with each step id's result names, for the outputs' check. */
function checkSteps(c: CampaignSpec, lab: LabSpec, earlier: Map<string, Set<string> | null>): Finding[] {
  const out: Finding[] = [];
  c.protocol.steps.forEach((step, i) => {
    const at = ['protocol', 'steps', i];
    // An unknown instrument or action is reported once; later references to this step's results are not.
    if (step.id) earlier.set(step.id, null);
    const inst = lab.instruments[step.instrument];
    if (!inst) {
      out.push({
        path: [...at, 'instrument'],
        message: `no instrument "${step.instrument}" in the lab${didYouMean(step.instrument, Object.keys(lab.instruments))}`,
      });
      return;
    }
    const action = inst.actions[step.action];
    if (!action) {
      out.push({
        path: [...at, 'action'],
        message: `${step.instrument} has no action "${step.action}"${didYouMean(step.action, Object.keys(inst.actions))}`,
      });
      return;
    }
    for (const p of Object.keys(action.params)) {
      if (!(p in step.params))
        out.push({
          path: [...at, 'params'],
          message: `missing parameter "${p}" of ${step.instrument}.${step.action}`,
        });
    }
    for (const [p, value] of Object.entries(step.params)) {
      const spec = action.params[p];
      if (!spec) {
        out.push({
          path: [...at, 'params', p],
          message: `${step.instrument}.${step.action} has no parameter "${p}"${didYouMean(p, Object.keys(action.params))}`,
          atKey: true,
        });
        continue;
      }
      out.push(...checkReferences(c, value, earlier, [...at, 'params', p]));
      const limit = limitFor(inst, step.action, p);
      if (limit)
        out.push(
          ...checkRange(c, value, limit, `${step.instrument}.${step.action}.${p}`, [...at, 'params', p]),
        );
    }
    if (step.id) earlier.set(step.id, new Set(Object.keys(action.result)));
  });
  return out;
}

function checkOutputs(c: CampaignSpec, steps: Map<string, Set<string> | null>): Finding[] {
  const out: Finding[] = [];
  for (const [name, expr] of Object.entries(c.protocol.outputs)) {
    out.push(...checkReferences(c, expr, steps, ['protocol', 'outputs', name]));
  }
  for (const [name, o] of Object.entries(c.objectives)) {
    const measurement = o.from?.measurement ?? name;
    if (!(measurement in c.protocol.outputs)) {
      out.push({
        path: ['objectives', name, ...(o.from ? ['from', 'measurement'] : [])],
        message: `no protocol output "${measurement}"${didYouMean(measurement, Object.keys(c.protocol.outputs))}`,
        atKey: !o.from,
      });
    }
  }
  return out;
}

/** `steps` maps earlier step ids to their result names (null: not known, any name passes). */
function checkReferences(
  c: CampaignSpec,
  value: unknown,
  steps: Map<string, Set<string> | null>,
  path: (string | number)[],
): Finding[] {
  const { refs, problems } = referencesIn(value);
  const out: Finding[] = problems.map((message) => ({ path, message }));
  for (const ref of refs) {
    const [root, a, b, d] = ref;
    if (root === 'inputs' && a !== undefined && ref.length === 2) {
      if (!(a in c.protocol.inputs))
        out.push({ path, message: `no input "${a}"${didYouMean(a, Object.keys(c.protocol.inputs))}` });
    } else if (root === 'steps' && a !== undefined && b === 'result' && d !== undefined && ref.length === 4) {
      const results = steps.get(a);
      if (results === undefined)
        out.push({ path, message: `no earlier step with id "${a}"${didYouMean(a, [...steps.keys()])}` });
      else if (results !== null && !results.has(d))
        out.push({ path, message: `step ${a} has no result "${d}"${didYouMean(d, [...results])}` });
    } else {
      out.push({
        path,
        message: `cannot resolve \${${ref.join('.')}}: expected inputs.<name> or steps.<id>.result.<name>`,
      });
    }
  }
  return out;
}

/** A parameter passed straight through must stay inside the hard limit over the whole search space. */
function checkRange(
  c: CampaignSpec,
  value: unknown,
  limit: { min: number; max: number },
  what: string,
  path: (string | number)[],
): Finding[] {
  const direct =
    typeof value === 'string' ? /^\$\{\s*inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}$/.exec(value) : null;
  let lo: number | undefined;
  let hi: number | undefined;
  let source = '';
  if (typeof value === 'number') {
    lo = hi = value;
    source = 'the value';
  } else if (direct?.[1]) {
    const p: ParameterSpec | undefined = c.parameters[direct[1]];
    const fixed = c.protocol.inputs[direct[1]]?.default;
    if (p && p.type !== 'categorical') {
      [lo, hi, source] = [p.min, p.max, `parameter ${direct[1]} (range ${p.min}..${p.max})`];
    } else if (!p && typeof fixed === 'number') {
      [lo, hi, source] = [fixed, fixed, `input ${direct[1]}'s default`];
    }
  }
  if (lo === undefined || hi === undefined) return [];
  const out: Finding[] = [];
  if (hi > limit.max)
    out.push({ path, message: `${source} reaches ${hi}, above the hard limit ${limit.max} of ${what}` });
  if (lo < limit.min)
    out.push({ path, message: `${source} reaches ${lo}, below the hard limit ${limit.min} of ${what}` });
  return out;
}
