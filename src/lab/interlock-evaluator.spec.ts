import { ManualClock } from '../../test/helpers/manual-clock.js';
import { labSchema, type LabSpec } from '../protocol/lab.schema.js';
import {
  evaluateInterlock,
  InterlockWatch,
  interlocksOf,
  type InterlockDefinition,
  type ReadingState,
} from './interlock-evaluator.js';

function lab(interlocks: unknown[]): LabSpec {
  return labSchema.parse({
    kind: 'lab',
    version: 1,
    name: 'plant',
    instruments: {
      reactor: {
        driver: 'mqtt',
        actions: { heat: { params: {} } },
        readings: {
          pressure: { type: 'number', unit: 'bar' },
          temperature: { type: 'number', unit: 'degC' },
          door: { type: 'string' },
        },
      },
    },
    interlocks,
  });
}

function one(when: string, then: 'hold' | 'abort' = 'hold'): InterlockDefinition {
  const [def] = interlocksOf(lab([{ when, then }]));
  if (!def) throw new Error(`did not parse: ${when}`);
  return def;
}

const readings =
  (values: Record<string, ReadingState>) =>
  (instrument: string, reading: string): ReadingState =>
    values[`${instrument}.${reading}`] ?? { state: 'unseen' };
const valid = (value: unknown): ReadingState => ({ state: 'valid', value });

describe('interlock verdicts', () => {
  it('compares readings in their lab-file unit with thresholds in another unit', () => {
    const def = one('reactor.pressure > 8 bar');
    expect(evaluateInterlock(def, readings({ 'reactor.pressure': valid(8.5) })).active).toBe(true);
    expect(evaluateInterlock(def, readings({ 'reactor.pressure': valid(7.9) })).active).toBe(false);
    const kpa = one('reactor.pressure > 750 kPa');
    // 7.6 bar = 760 kPa
    expect(evaluateInterlock(kpa, readings({ 'reactor.pressure': valid(7.6) }))).toEqual({
      active: true,
      unknown: false,
      detail: 'reactor.pressure = 7.6 bar',
    });
    expect(evaluateInterlock(kpa, readings({ 'reactor.pressure': valid(7.4) })).active).toBe(false);
    const hot = one('reactor.temperature >= 400 K');
    expect(evaluateInterlock(hot, readings({ 'reactor.temperature': valid(127) })).active).toBe(true); // 400.15 K
    expect(evaluateInterlock(hot, readings({ 'reactor.temperature': valid(126.5) })).active).toBe(false);
  });

  it('combines conditions and readings of text', () => {
    const def = one('reactor.door == "open" or reactor.pressure > 8 bar');
    expect(
      evaluateInterlock(def, readings({ 'reactor.door': valid('open'), 'reactor.pressure': valid(1) }))
        .active,
    ).toBe(true);
    expect(
      evaluateInterlock(def, readings({ 'reactor.door': valid('shut'), 'reactor.pressure': valid(1) }))
        .active,
    ).toBe(false);
  });

  it('counts a reading made invalid by a lost link as tripped, and a never-seen one as unknown', () => {
    const def = one('reactor.pressure > 8 bar');
    expect(evaluateInterlock(def, readings({ 'reactor.pressure': { state: 'invalid' } }))).toEqual({
      active: true,
      unknown: false,
      detail: 'reactor.pressure: no valid reading (link lost)',
    });
    expect(evaluateInterlock(def, readings({}))).toMatchObject({ active: false, unknown: true });
  });

  it('fails safe on a value the condition cannot use', () => {
    const def = one('reactor.pressure > 8 bar');
    const v = evaluateInterlock(def, readings({ 'reactor.pressure': valid('high') }));
    expect(v.active).toBe(true);
    expect(v.detail).toMatch(/^cannot evaluate/);
  });

  it('names interlocks by their name or position', () => {
    const defs = interlocksOf(
      lab([
        { when: 'reactor.pressure > 8 bar', then: 'hold' },
        { name: 'door', when: 'reactor.door == "open"', then: 'abort', description: 'door interlock' },
      ]),
    );
    expect(defs.map((d) => [d.name, d.action, d.lab])).toEqual([
      ['interlock-1', 'hold', 'plant'],
      ['door', 'abort', 'plant'],
    ]);
  });
});

describe('interlock watch', () => {
  const at = (def: InterlockDefinition, values: Record<string, ReadingState>) =>
    evaluateInterlock(def, readings(values));

  it('trips at once without a hold time, and latches whatever the readings do next', () => {
    const clock = new ManualClock();
    const trips: string[] = [];
    const def = one('reactor.pressure > 8 bar');
    const w = new InterlockWatch(def, clock, (d) => trips.push(d));
    w.update(at(def, { 'reactor.pressure': valid(2) }));
    expect(w.state).toBe('armed');
    w.update(at(def, { 'reactor.pressure': valid(9) }));
    expect(w.state).toBe('tripped');
    expect(trips).toEqual(['reactor.pressure = 9 bar']);
    expect(w.trippedAt).toBe(clock.now());
    w.update(at(def, { 'reactor.pressure': valid(1) }));
    w.update(at(def, { 'reactor.pressure': valid(10) }));
    expect(w.state).toBe('tripped');
    expect(trips).toHaveLength(1);
  });

  it('trips only once the condition has held for its hold time on the clock', async () => {
    const clock = new ManualClock();
    const trips: string[] = [];
    const def = one('reactor.pressure > 8 bar for 2 s');
    const w = new InterlockWatch(def, clock, (d) => trips.push(d));
    w.update(at(def, { 'reactor.pressure': valid(9) }));
    expect(w.state).toBe('pending');
    await clock.advance(1500);
    w.update(at(def, { 'reactor.pressure': valid(7) })); // dropped below: the hold starts over
    expect(w.state).toBe('armed');
    expect(clock.pendingTimers).toBe(0);
    w.update(at(def, { 'reactor.pressure': valid(9) }));
    await clock.advance(1999);
    w.update(at(def, { 'reactor.pressure': valid(9.5) }));
    expect(trips).toEqual([]);
    await clock.advance(1);
    expect(w.state).toBe('tripped');
    expect(trips).toEqual(['reactor.pressure = 9.5 bar (for 2.0 s)']);
  });

  it('holds an invalid reading for the hold time too: a short link blip does not trip', async () => {
    const clock = new ManualClock();
    const trips: string[] = [];
    const def = one('reactor.pressure > 8 bar for 2 s');
    const w = new InterlockWatch(def, clock, (d) => trips.push(d));
    w.update(at(def, { 'reactor.pressure': { state: 'invalid' } }));
    await clock.advance(1000);
    w.update(at(def, { 'reactor.pressure': valid(3) }));
    await clock.advance(5000);
    expect(trips).toEqual([]);
    w.update(at(def, { 'reactor.pressure': { state: 'invalid' } }));
    await clock.advance(2000);
    expect(trips).toEqual(['reactor.pressure: no valid reading (link lost) (for 2.0 s)']);
  });

  it('resets only when the condition is known to be clear', () => {
    const clock = new ManualClock();
    const def = one('reactor.pressure > 8 bar');
    const w = new InterlockWatch(def, clock, () => undefined);
    expect(w.reset()).toEqual({ ok: false, reason: 'interlock interlock-1 is not tripped' });
    w.update(at(def, { 'reactor.pressure': valid(9) }));
    expect(w.reset()).toEqual({
      ok: false,
      reason: '"reactor.pressure > 8 bar" still holds: reactor.pressure = 9 bar',
    });
    w.update(at(def, {}));
    expect(w.reset()).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^cannot tell that it cleared/),
    });
    w.update(at(def, { 'reactor.pressure': valid(3) }));
    expect(w.reset()).toEqual({ ok: true });
    expect(w.state).toBe('armed');
  });

  it('restores a trip from before a restart as latched, without tripping again', () => {
    const clock = new ManualClock();
    const trips: string[] = [];
    const def = one('reactor.pressure > 8 bar');
    const w = new InterlockWatch(def, clock, (d) => trips.push(d));
    w.restore(clock.now() - 60_000, 'reactor.pressure = 9 bar');
    w.update(at(def, { 'reactor.pressure': valid(9) }));
    expect(w.state).toBe('tripped');
    expect(w.tripDetail).toBe('reactor.pressure = 9 bar');
    expect(trips).toEqual([]);
  });
});
