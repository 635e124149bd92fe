/** Checks on a lab file beyond its schema: every numeric parameter has a hard limit, limits name real parameters. */
import { checkOpcuaInstrument } from '../../drivers/opcua/opcua.lab-checks.js';
import type { PathKey } from '../common/schema-messages.js';
import type { ActionSpec, InstrumentSpec, LabSpec, LimitSpec } from './lab.schema.js';

export interface Finding {
  path: PathKey[];
  message: string;
  atKey?: boolean;
}

/** The hard limit that applies to one parameter of one action, if any. */
export function limitFor(instrument: InstrumentSpec, action: string, param: string): LimitSpec | undefined {
  return instrument.limits[`${action}.${param}`] ?? instrument.limits[param];
}

export function checkLab(lab: LabSpec): Finding[] {
  const out: Finding[] = [];
  for (const [id, inst] of Object.entries(lab.instruments)) {
    if (inst.driver === 'mqtt' && inst.broker !== 'default' && !lab.brokers[inst.broker]) {
      out.push({ path: ['instruments', id, 'broker'], message: `no broker "${inst.broker}" in brokers` });
    }
    if (inst.driver === 'opcua') out.push(...checkOpcuaInstrument(id, inst));
    for (const [actionName, action] of Object.entries(inst.actions)) {
      out.push(...checkActionLimits(id, inst, actionName, action));
    }
    for (const key of Object.keys(inst.limits)) {
      if (!limitNamesParameter(inst, key)) {
        out.push({
          path: ['instruments', id, 'limits', key],
          message: `no action has a numeric parameter "${key}"; write a parameter name or action.parameter`,
          atKey: true,
        });
      }
    }
  }
  return out;
}

function checkActionLimits(
  id: string,
  inst: InstrumentSpec,
  actionName: string,
  action: ActionSpec,
): Finding[] {
  const out: Finding[] = [];
  for (const [param, spec] of Object.entries(action.params)) {
    if (spec.type !== 'number' && spec.type !== 'integer') continue;
    const limit = limitFor(inst, actionName, param);
    const path = ['instruments', id, 'actions', actionName, 'params', param];
    if (!limit) {
      out.push({
        path,
        message: `no hard limit; add limits: { ${param}: { min: …, max: … } } to the instrument`,
      });
    } else if (limit.unit && spec.unit && limit.unit !== spec.unit) {
      out.push({ path, message: `unit ${spec.unit} does not match the limit's unit ${limit.unit}` });
    }
  }
  return out;
}

function limitNamesParameter(inst: InstrumentSpec, key: string): boolean {
  const [first, second] = key.split('.');
  const numeric = (a: ActionSpec, p: string): boolean => {
    const t = a.params[p]?.type;
    return t === 'number' || t === 'integer';
  };
  if (second !== undefined) {
    const action = inst.actions[first ?? ''];
    return action !== undefined && numeric(action, second);
  }
  return Object.values(inst.actions).some((a) => numeric(a, key));
}
