/**
 * Reads a fault script (`kind: faults`) with located errors, and checks it against the instruments of a simulated
 * lab: every instrument, trigger action and clearing action must exist. Nothing here starts anything.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DocumentInvalidError } from '../../src/common/lab-error.js';
import { didYouMean } from '../../src/common/suggest.js';
import { parseYaml, problemAt, validateWith } from '../../src/common/yaml-source.js';
import { displayPath } from '../../src/protocol/document.loader.js';
import { faultScriptSchema, type FaultScript, type FaultSpec } from './fault-script.schema.js';
import type { SimModel } from './sim-model.js';

/** What a fault script may refer to: instrument ids with their actions and readings. */
export type FaultTargets = Record<string, { actions: readonly string[]; readings: readonly string[] }>;

export function loadFaultScript(path: string, targets?: FaultTargets): FaultScript {
  const abs = resolve(path);
  const shown = displayPath(abs);
  if (!existsSync(abs))
    throw new DocumentInvalidError([{ file: shown, path: '', message: 'file not found' }]);
  return parseFaultScript(shown, readFileSync(abs, 'utf8'), targets);
}

export function parseFaultScript(file: string, text: string, targets?: FaultTargets): FaultScript {
  const { source, value, problems } = parseYaml(file, text);
  if (problems.length > 0) throw new DocumentInvalidError(problems);
  const { data, problems: invalid } = validateWith(source, faultScriptSchema, value);
  if (!data) throw new DocumentInvalidError(invalid);
  if (targets) {
    const found = checkTargets(data.faults, targets).map((f) => problemAt(source, f.path, f.message));
    if (found.length > 0) throw new DocumentInvalidError(found);
  }
  return data;
}

/** The faults of one instrument. */
export function faultsOf(script: FaultScript | undefined, instrument: string): FaultSpec[] {
  return script?.faults.filter((f) => f.instrument === instrument) ?? [];
}

function checkTargets(
  faults: readonly FaultSpec[],
  targets: FaultTargets,
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  faults.forEach((f, i) => {
    const t = targets[f.instrument];
    if (!t) {
      const ids = Object.keys(targets);
      out.push({
        path: ['faults', i, 'instrument'],
        message: `no simulated instrument "${f.instrument}"${didYouMean(f.instrument, ids) || ` (there are: ${ids.join(', ')})`}`,
      });
      return;
    }
    const action = (name: string | undefined, path: (string | number)[]): void => {
      if (name !== undefined && !t.actions.includes(name))
        out.push({
          path,
          message: `${f.instrument} has no action "${name}"${didYouMean(name, [...t.actions])}`,
        });
    };
    action(f.on?.action, ['faults', i, 'on', 'action']);
    action(f.action, ['faults', i, 'action']);
    if ('clearedBy' in f) action(f.clearedBy, ['faults', i, 'clearedBy']);
    if (f.fault === 'drift' && !t.readings.includes(f.reading))
      out.push({
        path: ['faults', i, 'reading'],
        message: `${f.instrument} has no reading or result "${f.reading}"${didYouMean(f.reading, [...t.readings])}`,
      });
  });
  return out;
}

/** What fault scripts may name on a set of simulated instruments: actions; readings, result fields, driftables. */
export function faultTargetsOf(instruments: readonly { id: string; model: SimModel }[]): FaultTargets {
  const out: FaultTargets = {};
  for (const { id, model } of instruments) {
    const readings = new Set([...Object.keys(model.readings), ...(model.driftable ?? [])]);
    for (const a of Object.values(model.actions)) for (const r of Object.keys(a.result)) readings.add(r);
    out[id] = { actions: Object.keys(model.actions), readings: [...readings] };
  }
  return out;
}
