import { DocumentInvalidError, formatProblem } from '../../src/common/lab-error.js';
import { parseFaultScript } from './fault-script.loader.js';
import { faultSpec, type FaultSpecInput } from './fault-script.schema.js';
import { InstrumentFaults } from './instrument-faults.js';
import { VirtualClock } from './virtual-clock.js';

const START = Date.parse('2030-01-01T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('InstrumentFaults', () => {
  let clock: VirtualClock;
  beforeEach(() => (clock = new VirtualClock({ start: START, auto: false })));
  afterEach(() => clock.close());

  const faults = (...specs: FaultSpecInput[]): InstrumentFaults => {
    const f = new InstrumentFaults({ instrument: 'lh', specs: specs.map(faultSpec), clock, seed: 7 });
    f.attach({ offline: () => undefined, online: () => undefined, changed: () => undefined });
    return f;
  };

  it('fails the nth command of an action, and only that one', () => {
    const f = faults({ instrument: 'lh', fault: 'error', on: { action: 'transfer', nth: 2 }, code: 'CLOT' });
    const kinds = ['transfer', 'aspirate', 'transfer', 'transfer'].map((a) => f.onCommand(a));
    expect(kinds).toEqual([
      [],
      [],
      [{ kind: 'error', status: 'failed', code: 'CLOT', message: 'simulated instrument error' }],
      [],
    ]);
  });

  it('answers late every command while `for` lasts, from its arming time on', async () => {
    const f = faults({ instrument: 'lh', fault: 'late', at: '1 h', for: '10 min', delay: '45 s' });
    expect(f.onCommand('transfer')).toEqual([]);
    await clock.advance(HOUR);
    expect(f.onCommand('transfer')).toEqual([{ kind: 'late', delayMs: 45_000 }]);
    expect(f.onCommand('aspirate')).toEqual([{ kind: 'late', delayMs: 45_000 }]);
    await clock.advance(10 * MIN);
    expect(f.onCommand('transfer')).toEqual([]);
    expect(f.log.map((e) => [e.event, (e.t - START) / MIN])).toEqual([
      ['triggered', 60],
      ['affected', 60],
      ['affected', 60],
      ['ended', 70],
    ]);
  });

  it('draws probability faults from its seed: the same commands are hit every run', () => {
    const hits = (): number[] => {
      const f = faults({ instrument: 'lh', fault: 'silent', probability: 0.2, action: 'transfer' });
      return Array.from({ length: 200 }, (_, i) => (f.onCommand('transfer').length > 0 ? i : -1)).filter(
        (i) => i >= 0,
      );
    };
    const a = hits();
    expect(hits()).toEqual(a);
    expect(a.length).toBeGreaterThan(20);
    expect(a.length).toBeLessThan(60);
  });

  it('drifts a reading linearly, stops growing when `for` ends and keeps the bias until calibrated', async () => {
    const f = faults({
      instrument: 'lh',
      fault: 'drift',
      reading: 'od',
      rate: 0.02,
      at: '1 h',
      for: '5 h',
      clearedBy: 'calibrate',
    });
    await clock.advance(HOUR);
    expect(f.bias('od')).toBe(0);
    await clock.advance(2 * HOUR);
    expect(f.bias('od')).toBeCloseTo(0.04, 12);
    expect(f.bias('temperature')).toBe(0);
    await clock.advance(10 * HOUR);
    expect(f.bias('od')).toBeCloseTo(0.1, 12);
    f.onActionDone('calibrate');
    expect(f.bias('od')).toBe(0);
  });

  it('blocks every action of a clogged instrument until its maintenance action has run', () => {
    const f = faults({
      instrument: 'lh',
      fault: 'clog',
      on: { action: 'transfer', nth: 1 },
      clearedBy: 'flush',
    });
    expect(f.blockedBy('transfer')).toBeUndefined();
    f.onCommand('transfer');
    expect(f.blockedBy('transfer')).toEqual({ code: 'CLOGGED', message: expect.stringContaining('flush') });
    expect(f.blockedBy('flush')).toBeUndefined();
    expect(f.condition()).toEqual({ state: 'error', detail: 'clogged: run flush' });
    f.onActionDone('flush');
    expect(f.blockedBy('transfer')).toBeUndefined();
    expect(f.condition()).toBeUndefined();
  });

  it('goes offline at its time and comes back when `for` ends', async () => {
    const seen: string[] = [];
    const f = new InstrumentFaults({
      instrument: 'reader',
      specs: [faultSpec({ instrument: 'reader', fault: 'offline', at: '2 h', for: '15 min' })],
      clock,
      seed: 1,
    });
    f.attach({
      offline: () => seen.push(`off@${(clock.now() - START) / MIN}`),
      online: () => seen.push(`on@${(clock.now() - START) / MIN}`),
      changed: () => undefined,
    });
    await clock.advance(3 * HOUR);
    expect(seen).toEqual(['off@120', 'on@135']);
  });

  it('holds a stuck command until the reset action runs', async () => {
    const f = faults({ instrument: 'lh', fault: 'stuck', on: { nth: 1 }, clearedBy: 'reset' });
    expect(f.onCommand('transfer')).toEqual([{ kind: 'stuck' }]);
    expect(f.onCommand('transfer')).toEqual([]);
    expect(f.isReset('reset')).toBe(true);
    let released = false;
    const hung = f.waitUnstuck().then(() => (released = true));
    await clock.advance(HOUR);
    expect(released).toBe(false);
    f.onActionDone('reset');
    await hung;
    expect(f.isReset('reset')).toBe(false);
  });
});

describe('fault scripts', () => {
  const targets = {
    lh: { actions: ['transfer', 'clear_jam'], readings: ['volume'] },
    reader: { actions: ['read_absorbance', 'calibrate'], readings: ['od', 'temperature'] },
  };

  it('parses a script with durations and defaults', () => {
    const script = parseFaultScript(
      'faults.yaml',
      [
        'kind: faults',
        'version: 1',
        'name: night-shift',
        'faults:',
        '  - { instrument: lh, fault: jam, on: { action: transfer, nth: 3 }, clearedBy: clear_jam }',
        '  - { instrument: reader, fault: drift, reading: od, rate: 0.01, at: 30 min }',
      ].join('\n'),
      targets,
    );
    expect(script.seed).toBe(1);
    expect(script.faults[1]).toMatchObject({ fault: 'drift', at: 30 * MIN, rate: 0.01 });
  });

  it('locates every unknown instrument, action and reading, with suggestions', () => {
    const text = [
      'kind: faults',
      'version: 1',
      'name: typos',
      'faults:',
      '  - instrument: lhh',
      '    fault: error',
      '  - instrument: reader',
      '    fault: drift',
      '    reading: odd',
      '    rate: 0.1',
      '    clearedBy: calibrat',
      '  - instrument: reader',
      '    fault: late',
      '    delay: soon',
    ].join('\n');
    let messages: string[] = [];
    try {
      parseFaultScript('faults.yaml', text, targets);
    } catch (e) {
      if (!(e instanceof DocumentInvalidError)) throw e;
      messages = e.problems.map(formatProblem);
    }
    expect(messages).toEqual([
      'faults.yaml:14:12: faults[2].delay: expected a duration such as 30 s, 5 min or 2 h',
    ]);
    try {
      parseFaultScript('faults.yaml', text.replace('delay: soon', 'delay: 1 min'), targets);
    } catch (e) {
      if (!(e instanceof DocumentInvalidError)) throw e;
      messages = e.problems.map(formatProblem);
    }
    expect(messages).toEqual([
      'faults.yaml:5:17: faults[0].instrument: no simulated instrument "lhh"; did you mean "lh"?',
      'faults.yaml:11:16: faults[1].clearedBy: reader has no action "calibrat"; did you mean "calibrate"?',
      'faults.yaml:9:14: faults[1].reading: reader has no reading or result "odd"; did you mean "od"?',
    ]);
  });
});
