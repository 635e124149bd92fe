/**
 * The check at campaign start: every action a protocol uses exists on its instrument as the instrument describes
 * itself, its parameter types agree with the lab file, and the lab file's limits meet the instrument's ranges — the
 * intersection applies; an empty one, or a search space reaching past it, is a contradiction. Plain code: the
 * registry gathers the descriptions and hands them in.
 */
import type { InstrumentSpec, LabSpec, ParamSpec } from '../protocol/lab.schema.js';
import { limitFor } from '../protocol/lab.checks.js';
import type { InstrumentDescription, ValueSpec } from './instrument-driver.port.js';

export interface UsedAction {
  instrument: string;
  action: string;
}

export interface PreflightReport {
  /** Contradictions: the campaign must not start. */
  problems: string[];
  /** Worth knowing, not blocking (a narrower effective limit, an instrument not described yet). */
  notes: string[];
}

/** Every `{instrument, action}` pair in a protocol, wherever its steps nest them. */
export function actionsUsed(protocol: unknown): UsedAction[] {
  const seen = new Map<string, UsedAction>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o['instrument'] === 'string' && typeof o['action'] === 'string') {
      const u = { instrument: o['instrument'], action: o['action'] };
      seen.set(`${u.instrument}.${u.action}`, u);
    }
    for (const child of Object.values(o)) visit(child);
  };
  visit(protocol);
  return [...seen.values()];
}

export function preflight(
  lab: LabSpec,
  used: readonly UsedAction[],
  described: ReadonlyMap<string, InstrumentDescription | undefined>,
): PreflightReport {
  const report: PreflightReport = { problems: [], notes: [] };
  const silent = new Set<string>();
  for (const { instrument, action } of used) {
    const spec = lab.instruments[instrument];
    const declared = spec?.actions[action];
    if (!spec || !declared) continue; // the campaign checks already reported it
    const d = described.get(instrument);
    if (!d) {
      if (!silent.has(instrument))
        report.notes.push(
          `${instrument} has not described itself (offline?): checked against the lab file only until it does`,
        );
      silent.add(instrument);
      continue;
    }
    const offered = d.actions[action];
    if (!offered) {
      const has = Object.keys(d.actions);
      report.problems.push(
        `${instrument} does not offer action "${action}" (it describes ${has.length ? has.join(', ') : 'no action'})`,
      );
      continue;
    }
    for (const [p, ps] of Object.entries(declared.params)) {
      const where = `${instrument}.${action}.${p}`;
      const dp = offered.params[p];
      if (!dp) {
        if (!d.partial) report.problems.push(`${where}: the instrument does not describe this parameter`);
        continue;
      }
      report.problems.push(...typeProblems(where, ps, dp));
      checkLimit(report, where, spec, action, p, dp);
    }
    if (!d.partial) {
      for (const p of Object.keys(offered.params)) {
        if (!(p in declared.params))
          report.problems.push(
            `${instrument}.${action}: the instrument expects parameter "${p}", which the lab file does not declare`,
          );
      }
    }
  }
  return report;
}

/** The lab with each limit narrowed to what the instruments describe (for re-checking a search space). */
export function narrowedLab(
  lab: LabSpec,
  described: ReadonlyMap<string, InstrumentDescription | undefined>,
): LabSpec {
  const instruments: Record<string, InstrumentSpec> = {};
  for (const [id, spec] of Object.entries(lab.instruments)) {
    const d = described.get(id);
    if (!d) {
      instruments[id] = spec;
      continue;
    }
    const limits = { ...spec.limits };
    for (const [action, a] of Object.entries(spec.actions)) {
      for (const p of Object.keys(a.params)) {
        const lab = limitFor(spec, action, p);
        const dp = d.actions[action]?.params[p];
        if (!lab || !dp || (dp.min === undefined && dp.max === undefined)) continue;
        limits[`${action}.${p}`] = {
          ...lab,
          min: Math.max(lab.min, dp.min ?? -Infinity),
          max: Math.min(lab.max, dp.max ?? Infinity),
        };
      }
    }
    instruments[id] = { ...spec, limits };
  }
  return { ...lab, instruments };
}

function typeProblems(where: string, lab: ParamSpec, d: ValueSpec): string[] {
  const out: string[] = [];
  const compatible = lab.type === d.type || (lab.type === 'integer' && d.type === 'number');
  if (!compatible) out.push(`${where}: the lab file says ${lab.type}, the instrument expects ${d.type}`);
  if (lab.unit && d.unit && lab.unit !== d.unit)
    out.push(`${where}: the lab file's unit is ${lab.unit}, the instrument's is ${d.unit}`);
  if (d.enum) {
    const allowed = new Set<string | number>(d.enum);
    const extra = (lab.enum ?? []).filter((v) => !allowed.has(v));
    if (!lab.enum) out.push(`${where}: the instrument accepts only ${d.enum.join(', ')}; declare that enum`);
    else if (extra.length) out.push(`${where}: the instrument does not accept ${extra.join(', ')}`);
  }
  return out;
}

function checkLimit(
  report: PreflightReport,
  where: string,
  spec: InstrumentSpec,
  action: string,
  param: string,
  d: ValueSpec,
): void {
  const lab = limitFor(spec, action, param);
  if (!lab || (d.min === undefined && d.max === undefined)) return;
  const min = Math.max(lab.min, d.min ?? -Infinity);
  const max = Math.min(lab.max, d.max ?? Infinity);
  const range = `[${d.min ?? '-∞'}, ${d.max ?? '∞'}]`;
  if (min > max) {
    report.problems.push(
      `${where}: the lab file's limit [${lab.min}, ${lab.max}] and the instrument's range ${range} do not overlap`,
    );
  } else if (min > lab.min || max < lab.max) {
    report.notes.push(
      `${where}: the instrument accepts ${range}; the effective limit is [${min}, ${max}] (lab file: [${lab.min}, ${lab.max}])`,
    );
  }
}
