/**
 * The campaign report: reads like the methods-and-results section of a paper. Methods (protocol, instruments,
 * search space, objectives, strategy), results (table, convergence, parameter effects, Pareto front, best
 * conditions with their uncertainty), failures and how they were handled, and provenance.
 */
import { labelOf } from '../optimizers/strategy-registry.service.js';
import type { AnalyzerSpec } from '../protocol/campaign.schema.js';
import {
  stepKind,
  type ActionStepSpec,
  type GroupStepSpec,
  type IfStepSpec,
  type ManualStepSpec,
  type ParallelStepSpec,
  type ReadStepSpec,
  type RepeatStepSpec,
  type StepSpec,
  type WaitStepSpec,
} from '../protocol/protocol.schema.js';
import type { CampaignDataset, ExperimentData } from './campaign-dataset.js';
import { paretoFront, runningBest, type Goals } from './pareto.js';
import { renderHtml, renderMarkdown, type Block } from './report-blocks.js';
import { svgChart } from './svg-chart.js';

export interface CampaignReport {
  title: string;
  markdown: string;
  html: string;
  /** name → SVG text, referenced by the Markdown as figures/<name>.svg. */
  figures: Record<string, string>;
}

const BLUE = '#1f6feb';
const GREY = '#9aa4b2';
const ORANGE = '#d4700a';
const TABLE_LIMIT = 500;

function num(v: number | undefined | null): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

function val(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return v === undefined || v === null ? '–' : JSON.stringify(v);
}

function iso(t: number | null): string {
  return t === null ? '–' : new Date(t).toISOString().replace('T', ' ').slice(0, 19);
}

export function buildReport(d: CampaignDataset): CampaignReport {
  const title = `Campaign ${d.campaign.name}: methods and results`;
  const figures: Record<string, string> = {};
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: title },
    {
      kind: 'para',
      text: `Status **${d.campaign.status}**${d.campaign.reason ? ` (${d.campaign.reason})` : ''}. Report generated ${d.provenance.generatedAt} by labloop ${d.provenance.software.version}.`,
    },
    ...methods(d),
    ...results(d, figures),
    ...failures(d),
    ...provenance(d),
  ];
  return { title, markdown: renderMarkdown(blocks), html: renderHtml(title, blocks), figures };
}

function methods(d: CampaignDataset): Block[] {
  const spec = d.doc.spec;
  const lab = d.doc.lab.spec;
  const protocol = d.doc.protocol;
  const steps = stepRows(protocol.steps);
  const used = new Set(steps.map((r) => r.instrument).filter((i): i is string => i !== undefined));
  const instruments = Object.entries(lab.instruments)
    .filter(([id]) => used.has(id))
    .map(([id, inst]) => [
      id,
      inst.driver,
      inst.description ?? '',
      Object.entries(inst.limits)
        .map(([p, l]) => `${p} ${l.min}…${l.max}${l.unit ? ` ${l.unit}` : ''}`)
        .join('; '),
    ]);

  const str = (rows: unknown[][]): string[][] => rows.map((r) => r.map(String));
  const space = Object.entries(spec.parameters).map(([name, p]) =>
    p.type === 'categorical'
      ? [name, 'categorical', p.choices.map(String).join(', '), '', '']
      : [name, p.type, `${p.min} … ${p.max}`, p.unit ?? '', p.log ? 'log' : 'linear'],
  );
  const fixed = Object.entries(protocol.inputs)
    .filter(([k, i]) => !(k in spec.parameters) && i.default !== undefined)
    .map(([k, i]) => `${k} = ${String(i.default)}${i.unit ? ` ${i.unit}` : ''}`);
  return [
    { kind: 'heading', level: 2, text: 'Methods' },
    { kind: 'heading', level: 3, text: 'Protocol and instruments' },
    {
      kind: 'para',
      text: `Each experiment ran the protocol of \`${d.campaign.specFile}\` on lab **${lab.name}** (\`${d.campaign.labFile}\`)${spec.description ? `: ${spec.description}` : '.'} Instrument hard limits were enforced on every command.`,
    },
    { kind: 'table', header: ['instrument', 'driver', 'description', 'hard limits'], rows: instruments },
    {
      kind: 'table',
      header: ['step', 'what', 'parameters', 'timeout'],
      rows: steps.map((r) => [r.key, r.what, r.params, r.timeout]),
    },
    {
      kind: 'para',
      text: `Measurements: ${Object.entries(protocol.outputs)
        .map(([k, v]) => `\`${k}\` = \`${v}\``)
        .join(', ')}.${fixed.length ? ` Inputs held fixed: ${fixed.join(', ')}.` : ''}`,
    },
    { kind: 'heading', level: 3, text: 'Search space and objectives' },
    { kind: 'table', header: ['parameter', 'type', 'range', 'unit', 'scale'], rows: str(space) },
    {
      kind: 'list',
      items: Object.entries(spec.objectives).map(
        ([k, o]) => `${o.goal} **${k}**${o.from ? ` (${describeAnalyzer(o.from)})` : ''}`,
      ),
    },
    { kind: 'heading', level: 3, text: 'Strategy' },
    {
      kind: 'para',
      text: `Strategy **${labelOf(spec.strategy)}** with seed ${spec.strategy.seed}${Object.keys(spec.strategy.options).length ? ` and options \`${JSON.stringify(spec.strategy.options)}\`` : ' and default options'}; ${spec.parallel} experiment${spec.parallel === 1 ? '' : 's'} in flight at once; budget ${spec.budget.experiments} completed experiments.`,
    },
  ];
}

function results(d: CampaignDataset, figures: Record<string, string>): Block[] {
  const spec = d.doc.spec;
  const goals: Goals = Object.fromEntries(Object.entries(spec.objectives).map(([k, o]) => [k, o.goal]));
  const objectives = Object.keys(goals);
  const params = Object.keys(spec.parameters);
  const done = d.experiments.filter((e) => e.status === 'completed' && e.values);
  const c = d.summary.experiments;
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Results' },
    {
      kind: 'para',
      text: `${c.completed} of ${d.summary.budget} budgeted experiments completed, ${c.failed} failed, ${c.interrupted} interrupted${c.designed + c.running + c.analyzing ? `, ${c.designed + c.running + c.analyzing} unfinished` : ''}.`,
    },
  ];
  const first = objectives[0];
  if (first && done.length > 0) {
    const goal = goals[first] ?? 'maximize';
    const ys = done.map((e) => e.values?.[first]?.mean ?? NaN);
    const best = runningBest(ys, goal);
    figures['convergence'] = svgChart({
      title: `Convergence: best ${first} so far`,
      xLabel: 'experiment (completed, in order)',
      yLabel: first,
      series: [
        { label: 'observed', kind: 'points', color: GREY, points: ys.map((y, i) => [i + 1, y]) },
        { label: 'best so far', kind: 'step', color: BLUE, points: best.map((y, i) => [i + 1, y]) },
      ],
    });
    blocks.push({
      kind: 'figure',
      name: 'convergence',
      caption: `Best ${first} so far (${goal}) against the number of completed experiments.`,
      svg: figures['convergence'],
    });
    for (const p of params) {
      const def = spec.parameters[p];
      if (!def || def.type === 'categorical') continue;
      const name = `effect-${p}`;
      figures[name] = svgChart({
        title: `${first} against ${p}`,
        xLabel: `${p}${def.unit ? ` (${def.unit})` : ''}`,
        yLabel: first,
        logX: def.log,
        width: 420,
        height: 280,
        series: [
          {
            label: '',
            kind: 'points',
            color: BLUE,
            points: done.map((e) => [Number(e.params[p]), e.values?.[first]?.mean ?? NaN]),
          },
        ],
      });
      blocks.push({
        kind: 'figure',
        name,
        caption: `Parameter effect: ${first} of each completed experiment against ${p} (other parameters vary).`,
        svg: figures[name],
      });
    }
  }
  if (objectives.length >= 2) blocks.push(...pareto(d, goals, done, figures));
  blocks.push(...bestConditions(d, goals, done));
  const rows = d.experiments.slice(0, TABLE_LIMIT).map((e) => [
    String(e.seq),
    e.status,
    ...params.map((p) => val(e.params[p])),
    ...objectives.map((o) => {
      const v = e.values?.[o];
      return v ? `${num(v.mean)}${v.sem !== undefined ? ` ± ${num(v.sem)}` : ''}` : '–';
    }),
  ]);
  blocks.push(
    { kind: 'heading', level: 3, text: 'All experiments' },
    {
      kind: 'table',
      header: ['#', 'status', ...params, ...objectives],
      rows,
      align: [
        'right',
        'left',
        ...params.map(() => 'right' as const),
        ...objectives.map(() => 'right' as const),
      ],
    },
  );
  if (d.experiments.length > TABLE_LIMIT)
    blocks.push({
      kind: 'para',
      text: `The first ${TABLE_LIMIT} experiments are shown; the CSV export holds all.`,
    });
  return blocks;
}

function pareto(
  d: CampaignDataset,
  goals: Goals,
  done: ExperimentData[],
  figures: Record<string, string>,
): Block[] {
  const [a, b] = Object.keys(goals) as [string, string];
  const points = done.map((e) => ({ e, values: e.values ?? {} }));
  const front = paretoFront(points, goals).sort(
    (p, q) => (p.values[a]?.mean ?? 0) - (q.values[a]?.mean ?? 0),
  );
  figures['pareto'] = svgChart({
    title: `Pareto front: ${a} and ${b}`,
    xLabel: a,
    yLabel: b,
    series: [
      {
        label: 'observed',
        kind: 'points',
        color: GREY,
        points: points.map((p) => [p.values[a]?.mean ?? NaN, p.values[b]?.mean ?? NaN]),
      },
      {
        label: 'Pareto front',
        kind: 'line',
        color: ORANGE,
        points: front.map((p) => [p.values[a]?.mean ?? NaN, p.values[b]?.mean ?? NaN]),
      },
    ],
  });
  return [
    { kind: 'heading', level: 3, text: 'Pareto front' },
    {
      kind: 'figure',
      name: 'pareto',
      caption: `Non-dominated experiments for ${Object.entries(goals)
        .map(([k, g]) => `${g} ${k}`)
        .join(', ')}.`,
      svg: figures['pareto'],
    },
    {
      kind: 'table',
      header: ['#', ...Object.keys(goals), ...Object.keys(d.doc.spec.parameters)],
      rows: front.map((p) => [
        String(p.e.seq),
        ...Object.keys(goals).map((k) => num(p.values[k]?.mean)),
        ...Object.keys(d.doc.spec.parameters).map((k) => val(p.e.params[k])),
      ]),
    },
  ];
}

/**
 * The best experiment, with the uncertainty the data can support: the analyzer's standard error where it gave one,
 * and the spread of each parameter over the five best experiments (how sharply the optimum is located).
 */
function bestConditions(d: CampaignDataset, goals: Goals, done: ExperimentData[]): Block[] {
  const [first, goal] = Object.entries(goals)[0] ?? [];
  if (!first || !goal || done.length === 0) return [];
  const ranked = [...done].sort((x, y) => {
    const a = x.values?.[first]?.mean ?? NaN;
    const b = y.values?.[first]?.mean ?? NaN;
    return goal === 'maximize' ? b - a : a - b;
  });
  const best = ranked[0];
  if (!best) return [];
  const top = ranked.slice(0, Math.min(5, ranked.length));
  const v = best.values?.[first];
  const topValues = top.map((e) => e.values?.[first]?.mean ?? NaN);
  const rows = Object.entries(d.doc.spec.parameters).map(([p, def]) => {
    const unit = def.type === 'categorical' ? '' : (def.unit ?? '');
    if (def.type === 'categorical')
      return [p, val(best.params[p]), top.map((e) => val(e.params[p])).join(', '), unit];
    const xs = top.map((e) => Number(e.params[p]));
    return [p, val(best.params[p]), `${num(Math.min(...xs))} … ${num(Math.max(...xs))}`, unit];
  });
  return [
    { kind: 'heading', level: 3, text: 'Best conditions' },
    {
      kind: 'para',
      text: `The best ${first} was **${num(v?.mean)}**${v?.sem !== undefined ? ` ± ${num(v.sem)} (standard error reported by the analyzer)` : ' (single measurement; the analyzer reported no standard error)'} in experiment #${best.seq}. The ${top.length} best experiments reached ${num(Math.min(...topValues))} … ${num(Math.max(...topValues))}; the spread of their parameters shows how sharply the optimum is located.`,
    },
    {
      kind: 'table',
      header: ['parameter', `best (#${best.seq})`, `range over the top ${top.length}`, 'unit'],
      rows,
    },
  ];
}

function failures(d: CampaignDataset): Block[] {
  const failed = d.experiments.filter((e) => e.status === 'failed' || e.status === 'interrupted');
  const commands = d.experiments.flatMap((e) => e.commands.map((c) => ({ e, c })));
  const resent = commands.filter(({ c }) => c.sends > 1);
  const retried = commands.filter(({ c }) => c.attempt > 1);
  const holds = d.statusLog.filter(
    (s) =>
      s.to === 'held' ||
      s.to === 'paused' ||
      s.to === 'aborted' ||
      (s.to === 'running' && s.from !== 'draft'),
  );
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Failures and how they were handled' }];
  if (failed.length === 0 && resent.length === 0 && retried.length === 0 && holds.length === 0) {
    blocks.push({
      kind: 'para',
      text: 'No experiment failed, no command had to be re-sent, and the campaign was never paused or held.',
    });
    return blocks;
  }
  blocks.push({
    kind: 'para',
    text: `${failed.length} experiment${failed.length === 1 ? '' : 's'} did not complete; each failure was told to the strategy, which went on with new suggestions. ${resent.length} command${resent.length === 1 ? ' was' : 's were'} re-sent with the same id after a reconnect or restart (instruments answer a repeated id with its outcome, never running it twice)${retried.length ? `; ${retried.length} step${retried.length === 1 ? ' was' : 's were'} sent afresh after the instrument refused an expired command` : ''}.`,
  });
  if (failed.length > 0)
    blocks.push({
      kind: 'table',
      header: ['#', 'status', 'finished', 'reason'],
      rows: failed.map((e) => [String(e.seq), e.status, iso(e.finishedAt), e.reason ?? '']),
    });
  if (holds.length > 0)
    blocks.push(
      { kind: 'heading', level: 3, text: 'Interventions' },
      {
        kind: 'table',
        header: ['time', 'change', 'reason'],
        rows: holds.map((s) => [iso(s.ts), `${s.from} → ${s.to}`, s.reason ?? '']),
      },
    );
  return blocks;
}

function provenance(d: CampaignDataset): Block[] {
  const p = d.provenance;
  const actors = [...new Set(d.audit.map((a) => a.actor))];
  return [
    { kind: 'heading', level: 2, text: 'Provenance' },
    {
      kind: 'table',
      header: ['item', 'value'],
      rows: [
        ['software', `labloop ${p.software.version}, Node.js ${p.software.node}, ${p.software.platform}`],
        ['campaign file', `${p.campaign.file} (sha256 ${p.campaign.sha256})`],
        ['lab file', `${p.lab.file} (sha256 ${p.lab.sha256})`],
        ['strategy', `${p.strategy.name}, seed ${p.seed}, options ${JSON.stringify(p.strategy.options)}`],
        ['campaign id', d.campaign.id],
        ['created', iso(d.campaign.createdAt)],
        ['last change', iso(d.campaign.updatedAt)],
        ['events journaled', String(d.events.length)],
        ['operators (API)', actors.length ? actors.join(', ') : 'none'],
        ['report generated', p.generatedAt],
      ],
    },
    { kind: 'para', text: 'The exact campaign file as run:' },
    { kind: 'code', lang: 'yaml', text: d.doc.text },
  ];
}

interface StepRow {
  key: string;
  what: string;
  instrument?: string;
  params: string;
  timeout: string;
}

/** The protocol's steps in order, nested ones with their key path (`reps/read`), one row each. */
function stepRows(steps: readonly StepSpec[], prefix = ''): StepRow[] {
  return steps.flatMap((step, i): StepRow[] => {
    const key = `${prefix}${step.id ?? `#${i + 1}`}`;
    const row = (what: string, params = '', timeout = ''): StepRow => ({ key, what, params, timeout });
    const nested = (children: readonly StepSpec[], label: string): StepRow[] => [
      row(label),
      ...stepRows(children, `${key}/`),
    ];
    const timeoutOf = (t: string | number | undefined): string => (t === undefined ? '' : String(t));
    switch (stepKind(step)) {
      case 'action': {
        const a = step as ActionStepSpec;
        const params = Object.entries(a.params)
          .map(([k, v]) => `${k} = ${String(v)}`)
          .join(', ');
        return [
          {
            ...row(`${a.instrument}.${a.action}`, params, timeoutOf(a.timeout) || '5 min (default)'),
            instrument: a.instrument,
          },
        ];
      }
      case 'wait':
        return [row('wait', JSON.stringify((step as WaitStepSpec).wait))];
      case 'read':
        return [row('read', JSON.stringify((step as ReadStepSpec).read))];
      case 'manual':
        return [row('manual', String((step as ManualStepSpec).manual))];
      case 'parallel':
        return nested((step as ParallelStepSpec).parallel, 'in parallel');
      case 'group':
        return nested((step as GroupStepSpec).steps, 'group');
      case 'repeat':
        return nested(
          (step as RepeatStepSpec).steps,
          `repeat ${JSON.stringify((step as RepeatStepSpec).repeat)}`,
        );
      case 'if': {
        const f = step as IfStepSpec;
        return [
          row(`if ${f.if}`),
          ...stepRows(f.then, `${key}/then/`),
          ...stepRows(f.else ?? [], `${key}/else/`),
        ];
      }
      default:
        return [row('step')];
    }
  });
}

function describeAnalyzer(a: AnalyzerSpec): string {
  return a.analyzer === 'expr' ? `computed as ${a.expr}` : `${a.analyzer} of measurement ${a.measurement}`;
}
