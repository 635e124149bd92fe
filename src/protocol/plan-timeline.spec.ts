import { readFileSync } from 'node:fs';
import { Quantity } from '../common/quantity.js';
import { parseUnit } from '../common/units.js';
import { estimateCampaign, exampleParameters } from './campaign-estimate.js';
import { analyzeLab, analyzeProtocol } from './document.loader.js';
import { timeline } from './plan-timeline.js';
import { compileProtocol } from './protocol.compiler.js';

const LAB = analyzeLab('/t/lab.yaml', readFileSync('test/documents/labs/bench.yaml', 'utf8'));

function plan(body: string) {
  const p = analyzeProtocol('/t/p.yaml', `kind: protocol\nversion: 1\nname: t\n${body}`, LAB);
  if (!p.doc || !LAB.doc) throw new Error(JSON.stringify(p.problems));
  return compileProtocol(p.doc.spec, LAB.doc.spec);
}

describe('dry-run timeline', () => {
  it('places steps in time: parallel branches at once, one instrument at a time, repeats in turn', () => {
    const t = timeline(
      plan(`
inputs: { volume: { type: number, unit: mL } }
steps:
  - parallel:
      - { instrument: reader, action: heat, params: { temperature: 37 } }
      - { instrument: handler, action: dispense, params: { volume: '\${inputs.volume}', well: A1 } }
      - { instrument: reader, action: measure, params: { well: A1, wavelength: 600 } }
  - repeat: { for: well, in: [A1, B2] }
    steps:
      - { instrument: handler, action: dispense, params: { volume: 10, well: '\${well}' } }
  - wait: 5 min
`),
      { volume: new Quantity(0.1, parseUnit('mL')!) },
    );
    expect(t.rows.map((r) => [r.key, r.start / 1000, (r.duration ?? NaN) / 1000, r.what, r.params])).toEqual([
      ['#1/#1', 0, 120, 'reader.heat', { temperature: '37 degC' }],
      ['#1/#2', 0, 4, 'handler.dispense', { volume: '100 uL', well: 'A1' }],
      ['#1/#3', 120, 30, 'reader.measure', { well: 'A1', wavelength: '600 nm' }],
      ['#2[1]/#1', 150, 4, 'handler.dispense', { volume: '10 uL', well: 'A1' }],
      ['#2[2]/#1', 154, 4, 'handler.dispense', { volume: '10 uL', well: 'B2' }],
      ['#3', 158, 300, 'wait 5.0 min', undefined],
    ]);
    expect(t.total).toBe(458_000);
    expect(t.busy).toEqual({ reader: 150_000, handler: 12_000 });
    expect(t.unknown).toEqual([]);
  });

  it('shows what only the run can tell, and takes the then-branch of an open condition', () => {
    const t = timeline(
      plan(`
steps:
  - { id: m, instrument: reader, action: measure, params: { well: A1, wavelength: 600 } }
  - if: steps.m.result.od > 1
    then:
      - { instrument: handler, action: dispense, params: { volume: '\${steps.m.result.od / 1 OD * 10 uL}', well: A1 } }
  - manual: Check the plate
  - wait: { until: reader.temperature > 30 degC }
    timeout: 10 min
`),
      {},
    );
    expect(t.rows.map((r) => [r.key, r.what, r.params ?? r.note])).toEqual([
      ['m', 'reader.measure', { well: 'A1', wavelength: '600 nm' }],
      ['#2', 'if steps.m.result.od > 1', 'decided at run time; showing "then"'],
      [
        '#2/then/#1',
        'handler.dispense',
        { volume: '${steps.m.result.od / 1 OD * 10 uL} (at run time)', well: 'A1' },
      ],
      ['#3', 'manual: Check the plate', 'at most 12.0 h'],
      ['#4', 'wait until reader.temperature > 30 degC', 'at most 10.0 min'],
    ]);
    expect(t.unknown).toEqual(['#3 (an operator)', '#4 (until reader.temperature > 30 degC)']);
  });

  it('estimates a campaign from one experiment, experiments in parallel and the busiest instrument', () => {
    const t = timeline(
      plan(
        `steps: [{ instrument: reader, action: measure, params: { well: A1, wavelength: 600 } }, { wait: 90 s }]`,
      ),
      {},
    );
    const e = estimateCampaign(
      { budget: { experiments: 10, target: false }, parallel: 10, schedule: undefined },
      t,
      () => 1,
    );
    // 10 experiments of 2 min, all at once — but one reader measures 30 s each, one after the other: 5 min.
    expect(e.totalMs).toBe(300_000);
    expect(e.lines[1]).toBe(
      'campaign: 10 experiments, 10 at a time: about 5.0 min (reader is busy 30 s per experiment)',
    );
  });

  it('picks example parameters in the middle of the ranges, inside the constraints', () => {
    const parameters = {
      a: { type: 'float' as const, min: 0, max: 10, log: false },
      b: { type: 'float' as const, min: 1, max: 100, log: true },
      c: { type: 'categorical' as const, choices: ['x', 'y'] },
    };
    expect(exampleParameters({ parameters, constraints: [] }).params).toEqual({ a: 5, b: 10, c: 'x' });
    const inside = exampleParameters({ parameters, constraints: ['a + b <= 8'] });
    expect(inside.note).toBe('the middle of the ranges breaks a constraint: a point inside them');
    expect((inside.params['a'] as number) + (inside.params['b'] as number)).toBeLessThanOrEqual(8);
    expect(exampleParameters({ parameters, constraints: [] }, { a: 2 }).params['a']).toBe(2);
  });
});
