import { labSchema } from '../protocol/lab.schema.js';
import type { InstrumentDescription } from './instrument-driver.port.js';
import { actionsUsed, narrowedLab, preflight } from './instrument-preflight.js';

const lab = labSchema.parse({
  kind: 'lab',
  version: 1,
  name: 'test',
  instruments: {
    reactor: {
      driver: 'mqtt',
      actions: {
        heat: {
          params: {
            temperature: { type: 'number', unit: 'degC' },
            mode: { type: 'string', enum: ['fast', 'slow'] },
            steps: { type: 'integer' },
          },
        },
        stir: { params: { rpm: { type: 'integer' } } },
      },
      limits: { temperature: { min: 20, max: 140 }, steps: { min: 1, max: 10 }, rpm: { min: 0, max: 1000 } },
    },
  },
});

const described = (params: InstrumentDescription['actions'][string]['params'], partial = false) =>
  new Map<string, InstrumentDescription | undefined>([
    ['reactor', { partial, actions: { heat: { params, result: {} } }, readings: {} }],
  ]);

const agreeing = {
  temperature: { type: 'number' as const, unit: 'degC', min: 0, max: 200 },
  mode: { type: 'string' as const, enum: ['fast', 'slow', 'eco'] },
  steps: { type: 'number' as const },
};

const heat = [{ instrument: 'reactor', action: 'heat' }];

describe('campaign-start preflight', () => {
  it('finds every instrument action a protocol uses, however nested', () => {
    const protocol = {
      steps: [
        { instrument: 'reactor', action: 'heat', params: {} },
        {
          parallel: [
            { instrument: 'reactor', action: 'stir' },
            { repeat: { steps: [{ instrument: 'reactor', action: 'heat' }] } },
          ],
        },
      ],
    };
    expect(actionsUsed(protocol)).toEqual([
      { instrument: 'reactor', action: 'heat' },
      { instrument: 'reactor', action: 'stir' },
    ]);
  });

  it('passes an instrument that agrees, and notes nothing when its ranges are wider', () => {
    expect(preflight(lab, heat, described(agreeing))).toEqual({ problems: [], notes: [] });
  });

  it('notes a narrower range: the intersection applies', () => {
    const r = preflight(
      lab,
      heat,
      described({ ...agreeing, temperature: { type: 'number', min: 30, max: 120 } }),
    );
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([
      'reactor.heat.temperature: the instrument accepts [30, 120]; the effective limit is [30, 120] (lab file: [20, 140])',
    ]);
  });

  it('reports contradictions: no overlap, wrong type, wrong unit, enum values it refuses', () => {
    const r = preflight(
      lab,
      heat,
      described({
        temperature: { type: 'number', unit: 'K', min: 300, max: 400 },
        mode: { type: 'string', enum: ['fast'] },
        steps: { type: 'boolean' },
      }),
    );
    expect(r.problems).toEqual([
      "reactor.heat.temperature: the lab file's unit is degC, the instrument's is K",
      "reactor.heat.temperature: the lab file's limit [20, 140] and the instrument's range [300, 400] do not overlap",
      'reactor.heat.mode: the instrument does not accept slow',
      'reactor.heat.steps: the lab file says integer, the instrument expects boolean',
    ]);
  });

  it('reports an action it does not offer, and parameters missing on either side (unless partial)', () => {
    const none = new Map([['reactor', { actions: {}, readings: {} }]]);
    expect(preflight(lab, heat, none).problems).toEqual([
      'reactor does not offer action "heat" (it describes no action)',
    ]);
    const extra = described({ ...agreeing, speed: { type: 'number' } });
    delete (extra.get('reactor')!.actions['heat']!.params as Record<string, unknown>)['steps'];
    expect(preflight(lab, heat, extra).problems).toEqual([
      'reactor.heat.steps: the instrument does not describe this parameter',
      'reactor.heat: the instrument expects parameter "speed", which the lab file does not declare',
    ]);
    const partial = described({ temperature: agreeing.temperature }, true);
    expect(preflight(lab, heat, partial)).toEqual({ problems: [], notes: [] });
  });

  it('notes an instrument that has not described itself, once', () => {
    const r = preflight(
      lab,
      [...heat, { instrument: 'reactor', action: 'stir' }],
      new Map([['reactor', undefined]]),
    );
    expect(r).toEqual({
      problems: [],
      notes: ['reactor has not described itself (offline?): checked against the lab file only until it does'],
    });
  });

  it('narrows the lab limits to the described ranges for re-checking a search space', () => {
    const narrowed = narrowedLab(
      lab,
      described({ ...agreeing, temperature: { type: 'number', min: 30, max: 120 } }),
    );
    expect(narrowed.instruments['reactor']!.limits['heat.temperature']).toMatchObject({ min: 30, max: 120 });
    expect(narrowed.instruments['reactor']!.limits['temperature']).toMatchObject({ min: 20, max: 140 });
  });
});
