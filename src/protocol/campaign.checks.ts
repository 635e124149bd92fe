/**
 * Checks a campaign against its protocol and lab before anything moves: parameters name inputs of the right type and
 * unit, every input has a value, constraints can be met, the protocol is checked over the whole search space (hard
 * limits, units, references), objectives name outputs their analyzer can use, and the budget, schedule and
 * controls make sense. Works on whatever parts passed the schema, so one broken section hides nothing else.
 */
import { numRange, type Abstract } from '../common/expression-bounds.js';
import { parseExpression, referencesOf } from '../common/expression.js';
import type { PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { convert, parseUnit, sameDimension } from '../common/units.js';
import type { Constraint } from '../optimizers/strategy.port.js';
import { literal } from './abstract-values.js';
import { inputValue } from './campaign-inputs.js';
import type { CampaignSpec, ParameterSpec } from './campaign.schema.js';
import type { Finding } from './lab.checks.js';
import type { LabSpec } from './lab.schema.js';
import { searchProbe } from './limit-probe.js';
import { checkProtocol, valueProblem, type InputBinding, type PartialProtocol } from './protocol.checks.js';
import type { InputSpec } from './protocol.schema.js';
import { checkControls, checkSchedule } from './schedule.checks.js';
import { checkConstraints, checkParameters } from './search-space.checks.js';

export type PartialCampaign = Partial<CampaignSpec>;

export interface CampaignFindings {
  /** Located in the campaign file. */
  campaign: Finding[];
  /** Located in the protocol (relative to the protocol's root: inline under `protocol`, or its own file). */
  protocol: Finding[];
}

export interface CampaignCheckContext {
  protocol?: PartialProtocol;
  lab?: LabSpec;
  /** Lab instruments that failed the lab's schema. */
  brokenInstruments?: ReadonlySet<string>;
  /** Parameters whose entries failed the campaign's schema. */
  brokenParameters?: ReadonlySet<string>;
}

export function checkCampaign(c: PartialCampaign, ctx: CampaignCheckContext): CampaignFindings {
  const { protocol, lab } = ctx;
  const campaign: Finding[] = [];
  const brokenParameters = ctx.brokenParameters ?? new Set<string>();
  const parameters = c.parameters;
  if (parameters) campaign.push(...checkParameters(parameters));
  let constraints: Constraint[] = [];
  if (parameters && c.constraints && brokenParameters.size === 0) {
    const r = checkConstraints(c.constraints, parameters);
    campaign.push(...r.findings);
    constraints = r.constraints;
  }
  const inputs = protocol?.inputs;
  if (inputs && parameters) campaign.push(...checkInputs(c, inputs, brokenParameters, protocol.broken));
  let outputs: Record<string, Abstract> | undefined;
  let protocolFindings: Finding[] = [];
  if (protocol) {
    const bindings = inputs && parameters ? bindInputs(c, inputs, brokenParameters) : undefined;
    const probe =
      inputs && parameters
        ? searchProbe({
            parameters,
            constraints,
            input: (name, point) => inputValue({ inputs, parameters, fixed: c.fixed ?? {} }, name, point),
          })
        : undefined;
    const r = checkProtocol(protocol, {
      lab,
      inputs: bindings,
      probe,
      brokenInstruments: ctx.brokenInstruments,
    });
    protocolFindings = r.findings;
    if (protocol.outputs) outputs = r.outputs;
  }
  if (c.objectives && outputs) campaign.push(...checkObjectives(c.objectives, outputs));
  if (c.budget?.target && c.objectives && !Object.values(c.objectives).some((o) => o.target !== undefined))
    campaign.push({
      path: ['budget', 'target'],
      message: 'no objective has a target to reach; add target: <value> to one',
    });
  if (c.schedule) campaign.push(...checkSchedule(c.schedule));
  if (c.controls) campaign.push(...checkControls(c.controls, parameters, constraints));
  return { campaign, protocol: protocolFindings };
}

function checkInputs(
  c: PartialCampaign,
  inputs: Record<string, InputSpec>,
  brokenParameters: ReadonlySet<string>,
  brokenInputs: ReadonlySet<string> = new Set(),
): Finding[] {
  const out: Finding[] = [];
  const parameters = c.parameters ?? {};
  const fixed = c.fixed ?? {};
  for (const [p, spec] of Object.entries(parameters)) {
    const input = inputs[p];
    if (!input && brokenInputs.has(p)) continue;
    if (!input) {
      out.push({
        path: ['parameters', p],
        message: `not an input of the protocol${didYouMean(p, Object.keys(inputs))}`,
        atKey: true,
      });
      continue;
    }
    out.push(...checkParameterAgainstInput(p, spec, input));
  }
  for (const [name, value] of Object.entries(fixed)) {
    const input = inputs[name];
    const at = ['fixed', name];
    if (!input)
      out.push({
        path: at,
        message: `not an input of the protocol${didYouMean(name, Object.keys(inputs))}`,
        atKey: true,
      });
    else if (parameters[name])
      out.push({
        path: at,
        message: `${name} is a parameter; a searched input cannot also be fixed`,
        atKey: true,
      });
    else {
      const problem = valueProblem(input, value);
      if (problem) out.push({ path: at, message: problem });
    }
  }
  const inline = typeof c.protocol !== 'string';
  for (const [name, input] of Object.entries(inputs)) {
    if (!parameters[name] && !brokenParameters.has(name) && !(name in fixed) && input.default === undefined)
      out.push(
        inline
          ? {
              path: ['protocol', 'inputs', name],
              message: 'neither a parameter nor given a default (or a fixed value)',
            }
          : {
              path: ['protocol'],
              message: `input ${name} of the protocol is neither a parameter nor fixed, and has no default`,
            },
      );
  }
  return out;
}

function checkParameterAgainstInput(p: string, spec: ParameterSpec, input: InputSpec): Finding[] {
  const out: Finding[] = [];
  const at: PathKey[] = ['parameters', p];
  if (spec.type === 'categorical') {
    spec.choices.forEach((choice, i) => {
      const problem = valueProblem(input, choice);
      if (problem) out.push({ path: [...at, 'choices', i], message: problem });
    });
    return out;
  }
  if (input.type !== 'number' && input.type !== 'integer') {
    out.push({
      path: [...at, 'type'],
      message: `input ${p} is ${input.type === 'list' ? 'a list' : input.type}; ${spec.type === 'int' ? 'an int' : 'a float'} parameter needs a number input`,
    });
    return out;
  }
  if (input.type === 'integer' && spec.type === 'float')
    out.push({ path: [...at, 'type'], message: `input ${p} is an integer; use type: int` });
  const pu = spec.unit ? parseUnit(spec.unit) : undefined;
  const iu = input.unit ? parseUnit(input.unit) : undefined;
  if (spec.unit && !pu) out.push({ path: [...at, 'unit'], message: `cannot read the unit "${spec.unit}"` });
  if (pu && iu && !sameDimension(pu, iu)) {
    out.push({
      path: [...at, 'unit'],
      message: `unit mismatch: input ${p} is in ${input.unit}, the parameter in ${spec.unit}`,
    });
    return out;
  }
  if (pu && !iu && input.unit === undefined)
    out.push({
      path: [...at, 'unit'],
      message: `unit mismatch: input ${p} is a plain number, the parameter in ${spec.unit}`,
    });
  const toInput = (x: number): number => (pu && iu ? convert(x, pu, iu) : x);
  if (input.min !== undefined && toInput(spec.min) < input.min - 1e-12)
    out.push({
      path: [...at, 'min'],
      message: `the protocol accepts ${p} from ${input.min}${input.unit ? ` ${input.unit}` : ''}, got min ${spec.min}${spec.unit ? ` ${spec.unit}` : ''}`,
    });
  if (input.max !== undefined && toInput(spec.max) > input.max + 1e-12)
    out.push({
      path: [...at, 'max'],
      message: `the protocol accepts ${p} up to ${input.max}${input.unit ? ` ${input.unit}` : ''}, got max ${spec.max}${spec.unit ? ` ${spec.unit}` : ''}`,
    });
  return out;
}

/** What each input can be over the search space, and how messages name it. */
function bindInputs(
  c: PartialCampaign,
  inputs: Record<string, InputSpec>,
  brokenParameters: ReadonlySet<string>,
): Record<string, InputBinding> {
  const out: Record<string, InputBinding> = {};
  const parameters = c.parameters ?? {};
  const fixed = c.fixed ?? {};
  for (const [name, input] of Object.entries(inputs)) {
    const iu = input.unit ? parseUnit(input.unit) : undefined;
    const p = parameters[name];
    if (brokenParameters.has(name)) {
      out[name] = { abstract: { t: 'any', dynamic: true }, label: `parameter ${name}` };
    } else if (p && p.type !== 'categorical' && p.min > p.max) {
      out[name] = { abstract: { t: 'any', dynamic: true }, label: `parameter ${name}` };
    } else if (p && p.type !== 'categorical') {
      // A parameter in units its input cannot take is reported once; the protocol sees the input's unit.
      const own = p.unit ? parseUnit(p.unit) : undefined;
      const fits = own && iu ? sameDimension(own, iu) : true;
      const pu = own && fits ? own : iu;
      const unitText = fits ? (p.unit ?? input.unit) : input.unit;
      out[name] = {
        abstract: numRange(p.min, p.max, pu),
        label: `parameter ${name} (range ${p.min}..${p.max}${unitText ? ` ${unitText}` : ''})`,
      };
    } else if (p) {
      const nums = p.choices.filter((x): x is number => typeof x === 'number');
      out[name] = {
        abstract:
          nums.length === p.choices.length
            ? numRange(Math.min(...nums), Math.max(...nums), iu)
            : { t: 'str', dynamic: false },
        label: `parameter ${name} (one of ${p.choices.map((x) => JSON.stringify(x)).join(', ')})`,
      };
    } else {
      const raw = name in fixed ? fixed[name] : input.default;
      const abstract =
        raw === undefined ? ({ t: 'any', dynamic: true } as Abstract) : withUnit(literal(raw), iu);
      out[name] = {
        abstract,
        label: name in fixed ? `input ${name} (fixed at ${JSON.stringify(raw)})` : `input ${name}'s default`,
      };
    }
  }
  return out;
}

function withUnit(a: Abstract, unit: ReturnType<typeof parseUnit>): Abstract {
  if (a.t === 'num') return numRange(a.lo, a.hi, unit);
  if (a.t === 'list') return { ...a, elem: withUnit(a.elem, unit) };
  return a;
}

function checkObjectives(
  objectives: NonNullable<CampaignSpec['objectives']>,
  outputs: Record<string, Abstract>,
): Finding[] {
  const out: Finding[] = [];
  const names = Object.keys(outputs);
  const missing = (path: PathKey[], m: string, atKey = false): void => {
    out.push({ path, message: `no protocol output "${m}"${didYouMean(m, names)}`, atKey });
  };
  for (const [name, o] of Object.entries(objectives)) {
    const at: PathKey[] = ['objectives', name];
    const from = o.from;
    if (!from) {
      const v = outputs[name];
      if (!v) missing(at, name, true);
      else if (v.t === 'list')
        out.push({
          path: at,
          message: `output ${name} is a list (one value per repetition): add from: { analyzer: mean, measurement: ${name} }`,
          atKey: true,
        });
      continue;
    }
    if (from.analyzer === 'expr') {
      out.push(...checkExprAnalyzer(from.expr, [...at, 'from', 'expr'], outputs));
      continue;
    }
    const v = outputs[from.measurement];
    if (!v) {
      missing([...at, 'from', 'measurement'], from.measurement);
      continue;
    }
    if ('time' in from && from.time !== undefined && !outputs[from.time])
      missing([...at, 'from', 'time'], from.time);
    if (from.analyzer === 'value' && v.t === 'list')
      out.push({
        path: [...at, 'from', 'analyzer'],
        message: `output ${from.measurement} is a list (one value per repetition): use analyzer: mean`,
      });
    if (from.analyzer === 'mean' && v.t !== 'list' && v.t !== 'any')
      out.push({
        path: [...at, 'from', 'analyzer'],
        message: `output ${from.measurement} is one value; mean needs replicates (a list, e.g. read inside a repeat)`,
      });
  }
  return out;
}

function checkExprAnalyzer(text: string, path: PathKey[], outputs: Record<string, Abstract>): Finding[] {
  let refs: string[][];
  try {
    refs = referencesOf(parseExpression(text));
  } catch (e) {
    return [{ path, message: `cannot read "${text}": ${e instanceof Error ? e.message : String(e)}` }];
  }
  const out: Finding[] = [];
  for (const r of refs) {
    const [first] = r;
    if (first === undefined || !(first in outputs))
      out.push({
        path,
        message: `"${r.join('.')}" is not an output${didYouMean(r.join('.'), Object.keys(outputs))}`,
      });
  }
  return out;
}
