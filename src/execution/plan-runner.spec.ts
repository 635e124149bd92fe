import type { Value } from '../common/quantity.js';
import { Quantity } from '../common/quantity.js';
import { parseUnit } from '../common/units.js';
import { analyzeLab, analyzeProtocol } from '../protocol/document.loader.js';
import { compileProtocol } from '../protocol/protocol.compiler.js';
import type { CompiledProtocol } from '../protocol/plan.js';
import { fakePorts, takes, type Behaviour } from '../../test/helpers/fake-execution-ports.js';
import { ManualClock } from '../../test/helpers/manual-clock.js';
import type { ExecutionControl } from './execution.ports.js';
import { PlanRunner, type RunOutcome } from './plan-runner.js';

const LAB = `
kind: lab
version: 1
name: bench
instruments:
  pump:
    driver: mqtt
    actions:
      dispense:
        params: { volume: { type: number, unit: uL }, well: { type: string } }
        result: { dispensed: { type: number, unit: uL } }
        duration: 2 s
    limits: { volume: { min: 0, max: 1000, unit: uL } }
  reader:
    driver: mqtt
    actions:
      measure:
        params: { well: { type: string } }
        result: { od: { type: number, unit: OD } }
        duration: 5 s
      heat:
        params: { temperature: { type: number, unit: degC } }
        duration: 1 s
    readings: { temperature: { type: number, unit: degC } }
    limits: { temperature: { min: 4, max: 60, unit: degC } }
`;

function compile(body: string): CompiledProtocol {
  const lab = analyzeLab('/lab.yaml', LAB);
  const p = analyzeProtocol('/p.yaml', `kind: protocol\nversion: 1\nname: t\n${body}`, lab);
  if (!p.doc || !lab.doc)
    throw new Error(p.problems.map((x) => `${x.line}:${x.col} ${x.path}: ${x.message}`).join('\n'));
  return compileProtocol(p.doc.spec, lab.doc.spec);
}

const E = { id: 'e1', campaignId: 'c1' };
const uL = (v: number): Value => new Quantity(v, parseUnit('uL')!);
const mL = (v: number): Value => new Quantity(v, parseUnit('mL')!);

function setup(behaviours: Record<string, Behaviour> = {}) {
  const clock = new ManualClock();
  const ports = fakePorts(clock, {
    'pump.dispense': takes(2000, (r) => ({ status: 'done', result: { dispensed: r.params['volume'] } })),
    'reader.measure': takes(5000, (r) => ({
      status: 'done',
      result: { od: String(r.params['well']).length / 10 },
    })),
    'reader.heat': takes(1000, () => ({ status: 'done', result: {} })),
    ...behaviours,
  });
  const drain = new AbortController();
  const abort = new AbortController();
  const control: ExecutionControl = { drain: drain.signal, abort: abort.signal };
  const start = (
    plan: CompiledProtocol,
    inputs: Record<string, Value> = {},
    c = control,
  ): Promise<RunOutcome> => new PlanRunner(ports).run(E, plan, inputs, c);
  /** Runs to the end, lab time jumping from timer to timer. */
  const run = (
    plan: CompiledProtocol,
    inputs: Record<string, Value> = {},
    c = control,
  ): Promise<RunOutcome> => clock.settle(start(plan, inputs, c));
  return { clock, ports, run, start, drain, control };
}

describe('plan runner', () => {
  it('runs actions in order, converting units to what the instrument takes, and computes outputs', async () => {
    const { ports, run, clock } = setup();
    const plan = compile(`
inputs: { volume: { type: number, unit: mL } }
steps:
  - id: add
    instrument: pump
    action: dispense
    params: { volume: '\${inputs.volume}', well: A1 }
  - { id: read, instrument: reader, action: measure, params: { well: A1 } }
outputs:
  added: \${steps.add.result.dispensed to mL}
  od: \${steps.read.result.od}
`);
    const t0 = clock.now();
    const out = await run(plan, { volume: mL(0.25) });
    expect(out).toEqual({
      status: 'executed',
      outputs: { added: 0.25, od: 0.2 },
      units: { added: 'mL', od: 'OD' },
    });
    expect(ports.instruments.requests.map((r) => [r.instrument, r.request.params, r.start - t0])).toEqual([
      ['pump', { volume: 250, well: 'A1' }, 0],
      ['reader', { well: 'A1' }, 2000],
    ]);
    expect(ports.journal.steps.get('add')?.status).toBe('done');
  });

  it('repeats over a list, gathering one value per repetition, in parallel when asked', async () => {
    const { ports, run, clock } = setup();
    const plan = compile(`
steps:
  - id: wells
    repeat: { for: well, in: [A1, B12, C3], parallel: true }
    steps:
      - id: read
        instrument: reader
        action: measure
        params: { well: '\${well}' }
      - read: steps.read.result.od
        into: ods
outputs:
  od: \${mean(steps.read.result.od)}
  all: \${measurements.ods}
`);
    const t0 = clock.now();
    const out = await run(plan);
    expect(out).toMatchObject({ status: 'executed', outputs: { all: [0.2, 0.3, 0.2] } });
    expect(out.status === 'executed' && out.outputs['od']).toBeCloseTo(0.7 / 3, 12);
    // One reader, three repetitions at once: its lock serves them one after the other.
    expect(ports.instruments.requests.map((r) => r.start - t0)).toEqual([0, 5000, 10000]);
    expect([...ports.journal.steps.keys()]).toEqual(
      expect.arrayContaining(['wells', 'wells[1]/read', 'wells[2]/read', 'wells[3]/read', 'wells[3]/#2']),
    );
  });

  it('runs a parallel group at once on different instruments', async () => {
    const { ports, run, clock } = setup();
    const plan = compile(`
steps:
  - parallel:
      - { instrument: pump, action: dispense, params: { volume: 10, well: A1 } }
      - { instrument: reader, action: measure, params: { well: B1 } }
  - { instrument: reader, action: heat, params: { temperature: 30 } }
`);
    const t0 = clock.now();
    expect((await run(plan)).status).toBe('executed');
    expect(ports.instruments.requests.map((r) => [r.request.action, r.start - t0])).toEqual([
      ['dispense', 0],
      ['measure', 0],
      ['heat', 5000],
    ]);
  });

  it('waits a time given by an expression, and after a restart only what is left of it', async () => {
    const { ports, run, clock, drain, control } = setup();
    const plan = compile(`
inputs: { incubation: { type: number, unit: min } }
steps:
  - wait: \${inputs.incubation}
  - { instrument: reader, action: heat, params: { temperature: 30 } }
`);
    const first = new PlanRunner(ports).run(
      E,
      plan,
      { incubation: new Quantity(2, parseUnit('min')!) },
      control,
    );
    await clock.advance(45_000);
    drain.abort();
    expect(await clock.settle(first)).toEqual({ status: 'suspended' });
    await clock.advance(30_000); // the daemon was down for 30 s
    const again = { drain: new AbortController().signal, abort: new AbortController().signal };
    const t = clock.now();
    expect((await run(plan, { incubation: new Quantity(2, parseUnit('min')!) }, again)).status).toBe(
      'executed',
    );
    expect((ports.instruments.requests[0]?.start ?? 0) - t).toBe(45_000);
  });

  it('waits until a reading holds a condition for a time, or fails at the timeout', async () => {
    const { ports, start, clock } = setup();
    const plan = compile(`
steps:
  - wait: { until: reader.temperature >= 36.5 degC, for: 10 s }
    timeout: 2 min
`);
    const done = start(plan);
    ports.readings.set('reader', 'temperature', 30);
    await clock.advance(5000);
    ports.readings.set('reader', 'temperature', 37);
    await clock.advance(5000);
    ports.readings.set('reader', 'temperature', 36); // dropped below: the 10 s start again
    await clock.advance(5000);
    ports.readings.set('reader', 'temperature', 36.8);
    const t = clock.now();
    expect((await clock.settle(done)).status).toBe('executed');
    expect(clock.now() - t).toBe(10_000);

    const never = setup();
    never.ports.readings.set('reader', 'temperature', 20);
    expect(await never.run(plan)).toEqual({
      status: 'failed',
      reason: 'step #1 failed: "reader.temperature >= 36.5 degC" did not hold for 10 s within 2.0 min',
    });
  });

  it('reads a fresh sample of a reading into a measurement, with its unit', async () => {
    const { ports, start, clock } = setup();
    ports.readings.set('reader', 'temperature', 21); // before the step: stale
    await clock.advance(1000);
    const plan = compile(`
steps:
  - { read: reader.temperature, into: t0 }
outputs: { t: '\${measurements.t0 to K}' }
`);
    const done = start(plan);
    await clock.advance(1000);
    ports.readings.set('reader', 'temperature', 25);
    expect(await clock.settle(done)).toEqual({
      status: 'executed',
      outputs: { t: 298.15 },
      units: { t: 'K' },
    });
  });

  it('waits for an operator on a manual step; "could not" goes through the failure policy', async () => {
    const { ports, start, clock } = setup();
    const plan = compile(`
steps:
  - id: load
    manual: Load plate \${inputs.plate} into the reader
    onFailure: skip
  - id: check
    manual: Check the seal
outputs: { by: '\${steps.check.result.by}' }
inputs: { plate: { type: string } }
`);
    const done = start(plan, { plate: 'P7' });
    await clock.advance(60_000);
    expect(ports.journal.steps.get('load')?.detail).toEqual({ prompt: 'Load plate P7 into the reader' });
    ports.operators.confirm('load', { ok: false, note: 'no plate left' });
    await clock.advance(1);
    ports.operators.confirm('check', { ok: true, by: 'ana' });
    expect(await clock.settle(done)).toEqual({ status: 'executed', outputs: { by: 'ana' }, units: {} });
    expect(ports.journal.steps.get('load')).toMatchObject({
      status: 'skipped',
      error: 'the operator could not do it: no plate left',
    });
  });

  it('takes the branch a condition picks, and replays the decision after a restart', async () => {
    const { ports, run } = setup();
    const plan = compile(`
inputs: { volume: { type: number, unit: uL } }
steps:
  - id: big
    if: inputs.volume > 0.5 mL
    then: [{ instrument: pump, action: dispense, params: { volume: '\${inputs.volume / 2}', well: A1 } }]
    else: [{ instrument: pump, action: dispense, params: { volume: '\${inputs.volume}', well: A1 } }]
`);
    await run(plan, { volume: uL(800) });
    expect(ports.journal.steps.get('big')?.result).toEqual({ branch: 'then' });
    expect(ports.instruments.requests.map((r) => r.request.params['volume'])).toEqual([400]);
    // The same experiment again: everything is done, nothing is sent.
    expect((await run(plan, { volume: uL(100) })).status).toBe('executed');
    expect(ports.instruments.requests).toHaveLength(1);
  });

  it('retries with backoff, then applies the fallback', async () => {
    let calls = 0;
    const { ports, run, clock } = setup({
      'pump.dispense': takes(100, () => {
        calls++;
        return calls < 3
          ? { status: 'failed', error: { code: 'JAMMED', message: 'tip jammed' } }
          : { status: 'done', result: { dispensed: 5 } };
      }),
    });
    const plan = compile(`
steps:
  - instrument: pump
    action: dispense
    params: { volume: 5, well: A1 }
    onFailure: { retry: 3, backoff: 10 s, factor: 2 }
`);
    const t0 = clock.now();
    expect((await run(plan)).status).toBe('executed');
    // 100 ms, 10 s pause, 100 ms, 20 s pause, 100 ms.
    expect(ports.instruments.requests.map((r) => r.start - t0)).toEqual([0, 10_100, 30_200]);
    expect(ports.journal.steps.get('#1')).toMatchObject({ status: 'done', attempts: 3 });
    expect(ports.journal.commands.map((c) => c.attempt)).toEqual([1, 2, 3]);
  });

  it('fails the experiment and starts nothing new in parallel branches', async () => {
    const { ports, run } = setup({
      'pump.dispense': takes(1000, () => ({
        status: 'failed',
        error: { code: 'EMPTY', message: 'reservoir empty' },
      })),
    });
    const plan = compile(`
steps:
  - parallel:
      - { instrument: pump, action: dispense, params: { volume: 5, well: A1 } }
      - steps:
          - { instrument: reader, action: measure, params: { well: A1 } }
          - { instrument: reader, action: measure, params: { well: A2 } }
`);
    expect(await run(plan)).toEqual({
      status: 'failed',
      reason: 'step #1/#1 (pump.dispense) failed: EMPTY: reservoir empty',
    });
    // The running measurement finished; the second was never started.
    expect(ports.instruments.requests.map((r) => r.request.params['well'])).toEqual(['A1', 'A1']);
  });

  it('holds the campaign through the journal with the hold policy, and runs the step again on resume', async () => {
    let fail = true;
    const { ports, run } = setup({
      'reader.measure': takes(100, () =>
        fail
          ? { status: 'failed', error: { code: 'LID', message: 'lid open' } }
          : { status: 'done', result: { od: 1 } },
      ),
    });
    const plan = compile(`
steps:
  - { id: m, instrument: reader, action: measure, params: { well: A1 }, onFailure: hold }
outputs: { od: '\${steps.m.result.od}' }
`);
    const held = await run(plan);
    expect(held).toEqual({ status: 'held', reason: 'step m (reader.measure) failed: LID: lid open' });
    expect(ports.journal.holds).toEqual(['step m (reader.measure) failed: LID: lid open']);
    fail = false;
    expect(await run(plan)).toEqual({ status: 'executed', outputs: { od: 1 }, units: { od: 'OD' } });
    expect(ports.journal.steps.get('m')).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('re-sends an unfinished command with its id after a restart, and never repeats a done step', async () => {
    const { ports, clock, drain, control } = setup();
    const plan = compile(`
steps:
  - { id: a, instrument: pump, action: dispense, params: { volume: 5, well: A1 } }
  - { id: b, instrument: reader, action: measure, params: { well: A1 } }
`);
    const first = new PlanRunner(ports).run(E, plan, {}, control);
    await clock.advance(3000); // a is done, b is running
    drain.abort();
    // A crash: the process is gone while b's command is in flight.
    const inFlight = ports.journal.commands.find((c) => c.step === 'b');
    expect(inFlight?.status).toBe('pending');
    void first;
    const restarted = setup();
    restarted.ports.journal.steps.set('a', ports.journal.steps.get('a')!);
    restarted.ports.journal.steps.set('b', ports.journal.steps.get('b')!);
    restarted.ports.journal.commands.push(...ports.journal.commands.map((c) => ({ ...c })));
    expect((await restarted.run(plan)).status).toBe('executed');
    expect(restarted.ports.instruments.requests.map((r) => [r.request.id, r.resent])).toEqual([
      [inFlight?.id, true],
    ]);
  });

  it('does not send a command whose record was being stored when the campaign was aborted', async () => {
    const { ports, run, control } = setup();
    const abort = new AbortController();
    const plan = compile(`
steps:
  - { id: a, instrument: pump, action: dispense, params: { volume: 5, well: A1 } }
`);
    // The abort arrives while the command's write waits for its group commit (the model test found the window).
    const store = ports.journal.createCommand.bind(ports.journal);
    ports.journal.createCommand = async (...args) => {
      const cmd = await store(...args);
      abort.abort(new Error('campaign aborted'));
      return cmd;
    };
    const outcome = await run(plan, {}, { ...control, abort: abort.signal });
    expect(outcome.status).toBe('suspended');
    expect(ports.instruments.requests).toEqual([]);
    expect(ports.journal.commands.map((c) => [c.status, c.error?.code])).toEqual([['failed', 'ABORTED']]);
  });

  it('gives the step timeout to the instrument', async () => {
    const { ports, run } = setup();
    await run(
      compile(`steps: [{ instrument: reader, action: heat, params: { temperature: 30 }, timeout: 90 s }]`),
    );
    expect(ports.instruments.requests[0]?.request.timeoutMs).toBe(90_000);
  });
});

describe('plan runner: repetition over quantities', () => {
  it('keeps the units of the items it repeats over, also when replaying the decision', async () => {
    const { ports, run } = setup();
    const plan = compile(`
steps:
  - repeat: { for: v, in: '\${[0.05 mL, 20 uL]}' }
    steps:
      - { instrument: pump, action: dispense, params: { volume: '\${v}', well: A1 } }
`);
    await run(plan);
    expect(ports.instruments.requests.map((r) => r.request.params['volume'])).toEqual([50, 20]);
    expect(ports.journal.steps.get('#1')?.result).toEqual({ items: [0.05, 20], units: ['mL', 'uL'] });
  });
});
