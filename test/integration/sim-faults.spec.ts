/**
 * Fault injection through the wire: each fault kind on the simulated bio lab, seen by the daemon's MQTT driver as
 * a daemon would see it — offline and back, late, silent, error, garbage, drift, clog/jam, stuck — on the virtual
 * clock. A shipped fault script doubles as a regression fixture: its fault log is pinned.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { CommandOutcome } from '../../src/lab/instrument-driver.port.js';
import { bioInstruments } from '../../simulators/bio/bio-lab.js';
import { faultTargetsOf, loadFaultScript } from '../../simulators/common/fault-script.loader.js';
import {
  faultSpec,
  type FaultSpec,
  type FaultSpecInput,
} from '../../simulators/common/fault-script.schema.js';
import { VirtualClock } from '../../simulators/common/virtual-clock.js';
import { simLabRig, type SimLabRig } from '../helpers/sim-lab-rig.js';

const START = Date.parse('2030-01-01T08:00:00Z');
const MIN = 60_000;

function code(o: CommandOutcome): string {
  return o.status === 'done' ? 'done' : `${o.status}:${o.error.code}`;
}

describe('fault injection over MQTT', () => {
  let clock: VirtualClock;
  let rig: SimLabRig;
  const setup = async (faults: (FaultSpecInput | FaultSpec)[] = [], parsed = false): Promise<void> => {
    clock = new VirtualClock({ start: START });
    const specs = parsed ? (faults as FaultSpec[]) : faults.map((f) => faultSpec(f));
    rig = await simLabRig({ clock, instruments: bioInstruments(), faults: specs, replyTimeoutMs: 10_000 });
    expect(code(await rig.run('lh', 'new_plate', { plate: 'p' }))).toBe('done');
  };
  afterEach(async () => {
    await rig.close();
    clock.close();
  });
  const executedOn = (id: string): string[] =>
    rig.executed.filter((e) => e.instrument === id).map((e) => e.id);
  const read = (deadlineMs?: number): Promise<CommandOutcome> =>
    rig.run('reader', 'read_absorbance', { plate: 'p', wells: 'A1', wavelength: 600 }, undefined, deadlineMs);

  it('offline: drops off (last will), holds commands, refuses the expired one and runs the other once', async () => {
    await setup();
    const statuses: boolean[] = [];
    const sub = rig.drivers['reader']!.status$.subscribe((s) => statuses.push(s.online));
    const t = clock.now();
    rig.sims['reader']!.faults!.inject({
      instrument: 'reader',
      fault: 'offline',
      at: '1 min',
      for: '10 min',
    });
    await clock.advance(2 * MIN);
    expect(rig.drivers['reader']!.status().online).toBe(false);
    // Both wait for the instrument; one may start within a minute, the other within 15.
    const [short, long] = await Promise.all([read(MIN), read(15 * MIN)]);
    sub.unsubscribe();
    expect(code(short)).toBe('rejected:EXPIRED');
    expect(code(long)).toBe('done');
    expect(clock.now() - t).toBeGreaterThanOrEqual(11 * MIN);
    expect(statuses).toEqual(expect.arrayContaining([true, false, true]));
    expect(executedOn('reader')).toHaveLength(1);
  });

  it('late: an answer later than the reply timeout is a timeout for the driver, which aborts it by id: it never runs, so a retry cannot run beside it', async () => {
    await setup([{ instrument: 'lh', fault: 'late', on: { action: 'transfer' }, delay: '30 s' }]);
    const before = executedOn('lh').length;
    const slow = await rig.run('lh', 'transfer', { source: 'water', target: 'p:A1', volume: 50 });
    expect(code(slow)).toBe('timeout:INSTRUMENT_TIMEOUT');
    await clock.advance(2 * MIN);
    expect(executedOn('lh')).toHaveLength(before);
    // Only that one command was late.
    expect(code(await rig.run('lh', 'transfer', { source: 'water', target: 'p:A2', volume: 50 }))).toBe(
      'done',
    );
  });

  it('silent: never answers, never runs, and stays silent to a re-send of the same id', async () => {
    await setup([{ instrument: 'reader', fault: 'silent', on: { nth: 1 } }]);
    const id = randomUUID();
    const send = (): Promise<CommandOutcome> =>
      rig.drivers['reader']!.execute({
        id,
        action: 'read_absorbance',
        params: { plate: 'p', wells: 'A1', wavelength: 600 },
        deadline: clock.now() + MIN,
        timeoutMs: 30 * MIN,
      });
    expect(code(await send())).toBe('timeout:INSTRUMENT_TIMEOUT');
    expect(code(await send())).toBe('timeout:INSTRUMENT_TIMEOUT');
    expect(executedOn('reader')).toHaveLength(0);
    expect(code(await read())).toBe('done');
  });

  it('error: the nth command fails with the scripted code; the next runs', async () => {
    await setup([
      {
        instrument: 'lh',
        fault: 'error',
        on: { action: 'transfer', nth: 2 },
        code: 'CLOT_DETECTED',
        message: 'clot',
      },
    ]);
    const t = (well: string): Promise<CommandOutcome> =>
      rig.run('lh', 'transfer', { source: 'water', target: `p:${well}`, volume: 20 });
    expect([code(await t('A1')), code(await t('A2')), code(await t('A3'))]).toEqual([
      'done',
      'failed:CLOT_DETECTED',
      'done',
    ]);
  });

  it('garbage: malformed replies are counted and ignored; the unacknowledged command is aborted, and a re-send gets that outcome without running again', async () => {
    await setup([
      { instrument: 'reader', fault: 'garbage', on: { nth: 1 } },
      { instrument: 'reader', fault: 'garbage', target: 'telemetry', at: 0, for: '5 min' },
    ]);
    const driver = rig.drivers['reader']!;
    const id = randomUUID();
    const send = (): Promise<CommandOutcome> =>
      driver.execute({
        id,
        action: 'read_absorbance',
        params: { plate: 'p', wells: 'A1', wavelength: 600 },
        deadline: clock.now() + MIN,
        timeoutMs: 30 * MIN,
      });
    expect(code(await send())).toBe('timeout:INSTRUMENT_TIMEOUT');
    await clock.advance(5 * MIN);
    expect(driver.malformedCount).toBeGreaterThan(3);
    const again = await send();
    expect(code(again)).toBe('failed:ABORTED');
    expect(executedOn('reader')).toEqual([id]);
  });

  it('drift: the reader reads higher and higher until calibrated', async () => {
    await setup();
    expect(code(await rig.run('lh', 'transfer', { source: 'water', target: 'p:A1', volume: 200 }))).toBe(
      'done',
    );
    const mean = async (): Promise<number> => {
      const o = await read();
      if (o.status !== 'done') throw new Error(code(o));
      return o.result['mean'] as number;
    };
    const base = await mean();
    rig.sims['reader']!.faults!.inject({
      instrument: 'reader',
      fault: 'drift',
      reading: 'absorbance',
      rate: 0.05,
      clearedBy: 'calibrate',
    });
    await clock.advance(4 * 60 * MIN);
    expect((await mean()) - base).toBeGreaterThan(0.18);
    expect(code(await rig.run('reader', 'calibrate', {}))).toBe('done');
    expect(Math.abs((await mean()) - base)).toBeLessThan(0.02);
  });

  it('jam: every command fails and the state is error until the maintenance action runs', async () => {
    await setup([
      { instrument: 'lh', fault: 'jam', on: { action: 'transfer', nth: 2 }, clearedBy: 'clear_jam' },
    ]);
    const t = (well: string): Promise<CommandOutcome> =>
      rig.run('lh', 'transfer', { source: 'water', target: `p:${well}`, volume: 20 });
    expect(code(await t('A1'))).toBe('done');
    expect(code(await t('A2'))).toBe('failed:JAMMED');
    expect(rig.drivers['lh']!.status()).toMatchObject({ state: 'error', detail: 'jammed: run clear_jam' });
    expect(code(await rig.run('lh', 'new_plate', { plate: 'q' }))).toBe('failed:JAMMED');
    expect(code(await rig.run('lh', 'clear_jam', {}))).toBe('done');
    expect(code(await t('A2'))).toBe('done');
    expect(rig.drivers['lh']!.status().state).toBe('idle');
  });

  it('stuck: a command hangs in running, ignores abort, and fails when the reset action gets through', async () => {
    await setup([{ instrument: 'lh', fault: 'stuck', on: { action: 'transfer' }, clearedBy: 'home' }]);
    const hung = await rig.run('lh', 'transfer', { source: 'water', target: 'p:A1', volume: 20 }, 5 * MIN);
    expect(code(hung)).toBe('timeout:INSTRUMENT_TIMEOUT');
    expect(rig.drivers['lh']!.status().state).toBe('busy');
    const queued = rig.run('lh', 'transfer', { source: 'water', target: 'p:A2', volume: 20 });
    await clock.advance(10 * MIN);
    expect(rig.drivers['lh']!.status().state).toBe('busy');
    expect(code(await rig.run('lh', 'home', {}))).toBe('done');
    expect(code(await queued)).toBe('done');
    expect(rig.drivers['lh']!.status().state).toBe('idle');
  });

  it('replays a shipped fault script the same way every run (regression fixture)', async () => {
    const instruments = bioInstruments();
    const script = loadFaultScript(
      join('simulators', 'faults', 'bio-night-shift.yaml'),
      faultTargetsOf(instruments),
    );
    await setup(script.faults, true);
    for (let i = 0; i < 6; i++)
      await rig.run('lh', 'transfer', { source: 'water', target: `p:A${i + 1}`, volume: 20 });
    await rig.run('lh', 'clear_jam', {});
    await clock.advance(3 * 60 * MIN);
    await read();
    const log = Object.values(rig.sims)
      .flatMap((s) => s.faults!.log)
      .sort((a, b) => a.t - b.t)
      .map(
        (e) =>
          `${(e.t - START) / 1000}s ${e.instrument} ${e.fault} ${e.event}${e.action ? ` ${e.action}` : ''}`,
      );
    expect(log).toEqual([
      '9.4s lh error triggered transfer',
      '9.4s lh error affected transfer',
      '9.4s lh error ended',
      '13.8s lh jam triggered transfer',
      '33.8s lh jam cleared clear_jam',
      '1800s reader drift triggered',
      '3600s reader offline triggered',
      '4800s reader offline ended',
      '7200s incubator garbage triggered',
      '7800s incubator garbage ended',
    ]);
  });
});
