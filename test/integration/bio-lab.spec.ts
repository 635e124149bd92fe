/**
 * The simulated bio lab through its wire protocol: the daemon's MQTT driver commands the liquid handler, the
 * incubator/shaker and the plate reader over a real broker, on the virtual clock — an enzyme assay with replicate
 * wells, an 8-hour growth and expression run, and the errors a real deck raises.
 */
import type { CommandOutcome } from '../../src/lab/instrument-driver.port.js';
import { bioInstruments } from '../../simulators/bio/bio-lab.js';
import { turnoverRate } from '../../simulators/bio/enzyme-kinetics.model.js';
import { VirtualClock } from '../../simulators/common/virtual-clock.js';
import { simLabRig, type SimLabRig } from '../helpers/sim-lab-rig.js';

const START = Date.parse('2030-01-01T08:00:00Z');
const HOUR = 3_600_000;

function done(o: CommandOutcome): Record<string, unknown> {
  if (o.status !== 'done')
    throw new Error(`expected done, got ${o.status}: ${o.error.code} ${o.error.message}`);
  return o.result;
}

function failure(o: CommandOutcome): string {
  if (o.status === 'done') throw new Error('expected a failure, got done');
  return o.error.code;
}

describe('simulated bio lab over MQTT', () => {
  let clock: VirtualClock;
  let rig: SimLabRig;

  beforeEach(async () => {
    clock = new VirtualClock({ start: START });
    rig = await simLabRig({ clock, instruments: bioInstruments({ options: { tips: 200 } }) });
  });
  afterEach(async () => {
    await rig.close();
    clock.close();
  });

  it('describes every instrument and reports state and telemetry', () => {
    expect(Object.keys(rig.drivers['lh']!.describe()!.actions)).toEqual(
      expect.arrayContaining(['transfer', 'aspirate', 'dispense', 'pick_up_tip', 'drop_tip', 'new_plate']),
    );
    expect(Object.keys(rig.drivers['incubator']!.describe()!.actions)).toContain('incubate');
    expect(Object.keys(rig.drivers['reader']!.describe()!.actions)).toEqual(
      expect.arrayContaining(['read_absorbance', 'read_fluorescence', 'read_kinetic']),
    );
    expect(rig.drivers['reader']!.status()).toMatchObject({ online: true, state: 'idle' });
  });

  it('runs an enzyme assay in three replicate wells and reads the initial rate the kinetics predict', async () => {
    const t0 = clock.now();
    done(await rig.run('lh', 'new_plate', { plate: 'p1' }));
    // 50 µL each of pH 4 and pH 10 universal buffer (pH 7), 50 µL of 20 mM substrate, 40 µL water, 10 µL enzyme.
    for (const [source, volume] of [
      ['buffer_ph4', 50],
      ['buffer_ph10', 50],
      ['substrate', 50],
      ['water', 40],
      ['enzyme', 10],
    ] as const)
      expect(done(await rig.run('lh', 'transfer', { source, target: 'p1:A1-A3', volume }))).toMatchObject({
        wells: 3,
      });
    const read = done(
      await rig.run('reader', 'read_kinetic', {
        plate: 'p1',
        wells: 'A1-A3',
        wavelength: 405,
        interval: 30,
        duration: 600,
        temperature: 25,
      }),
    );
    // Expected: v = kcat·E·S/(Km+S) at 25 °C, pH 7 → ΔA/min = v·ε405·path, path 0.625 cm for 200 µL.
    const expected = turnoverRate(25, 7, 5, 0.05) * 60 * 9.96 * 0.625 * 1000;
    expect(read['n']).toBe(3);
    expect(read['mean_slope'] as number).toBeGreaterThan(0.85 * expected);
    expect(read['mean_slope'] as number).toBeLessThan(1.15 * expected);
    // Replicates differ by pipetting (10 µL of enzyme on 300 µL channels: a few percent each) and reader noise.
    expect((read['sd_slope'] as number) / (read['mean_slope'] as number)).toBeLessThan(0.12);
    expect((read['sd_slope'] as number) / (read['mean_slope'] as number)).toBeGreaterThan(0);
    expect((read['times'] as number[]).length).toBe(21);
    expect(clock.now() - t0).toBeGreaterThan(10 * 60_000);
  });

  it('grows and induces a culture for 8 hours of lab time, then reads OD600 and fluorescence', async () => {
    done(await rig.run('lh', 'new_plate', { plate: 'p2' }));
    const recipe = {
      glucose: 4,
      yeast_extract: 20,
      tryptone: 20,
      m9_salts: 40,
      water: 96,
      iptg: 10,
      cells: 10,
    };
    for (const [source, volume] of Object.entries(recipe))
      done(await rig.run('lh', 'transfer', { source, target: 'p2:B1-B2', volume }));
    done(await rig.run('lh', 'transfer', { source: 'water', target: 'p2:H12', volume: 200 })); // blank
    const before = done(
      await rig.run('reader', 'read_absorbance', { plate: 'p2', wells: 'B1-B2', wavelength: 600 }),
    );
    const start = clock.now();
    done(
      await rig.run('incubator', 'incubate', { plate: 'p2', temperature: 30, rpm: 800, duration: 8 * 3600 }),
    );
    expect(clock.now() - start).toBeGreaterThanOrEqual(8 * HOUR);
    const od = done(
      await rig.run('reader', 'read_absorbance', { plate: 'p2', wells: 'B1-B2', wavelength: 600 }),
    );
    const blank = done(
      await rig.run('reader', 'read_absorbance', { plate: 'p2', wells: 'H12', wavelength: 600 }),
    );
    const gfp = done(
      await rig.run('reader', 'read_fluorescence', {
        plate: 'p2',
        wells: 'B1-B2,H12',
        excitation: 485,
        emission: 528,
        gain: 60,
      }),
    );
    expect(blank['mean'] as number).toBeCloseTo(0.037, 1);
    expect(od['mean'] as number).toBeGreaterThan(10 * ((before['mean'] as number) - 0.037));
    const values = gfp['values'] as Record<string, number>;
    expect(values['B1']!).toBeGreaterThan(20 * values['H12']!);
  });

  it('raises the errors of a real deck through the contract', async () => {
    done(await rig.run('lh', 'new_plate', { plate: 'p3' }));
    expect(failure(await rig.run('lh', 'aspirate', { source: 'water', volume: 10 }))).toBe('NO_TIP');
    done(await rig.run('lh', 'pick_up_tip', {}));
    expect(failure(await rig.run('lh', 'pick_up_tip', {}))).toBe('TIP_ALREADY_FITTED');
    done(await rig.run('lh', 'drop_tip', {}));
    done(await rig.run('lh', 'transfer', { source: 'water', target: 'p3:A1', volume: 300 }));
    expect(failure(await rig.run('lh', 'transfer', { source: 'water', target: 'p3:A1', volume: 100 }))).toBe(
      'WELL_OVERFLOW',
    );
    // The 10 mL iptg stock runs dry: the reservoir keeps a dead volume the channel cannot reach.
    const drain = await rig.run('lh', 'transfer', { source: 'iptg', target: 'p3:B1-E12', volume: 300 });
    expect(failure(drain)).toBe('TOO_LITTLE_LIQUID');
    expect(failure(await rig.run('lh', 'transfer', { source: 'nothing', target: 'p3:A2', volume: 10 }))).toBe(
      'UNKNOWN_LABWARE',
    );
    expect(
      failure(await rig.run('reader', 'read_absorbance', { plate: 'p9', wells: 'A1', wavelength: 600 })),
    ).toBe('UNKNOWN_LABWARE');
    // A plate in the incubator cannot be read or pipetted.
    const incubating = rig.run('incubator', 'incubate', {
      plate: 'p3',
      temperature: 37,
      rpm: 300,
      duration: 3600,
    });
    await clock.advance(60_000);
    expect(
      failure(await rig.run('reader', 'read_absorbance', { plate: 'p3', wells: 'A1', wavelength: 600 })),
    ).toBe('PLATE_BUSY');
    done(await incubating);
    // Bad parameters are rejected by the instrument, naming the parameter.
    const bad = await rig.run('lh', 'transfer', { source: 'water', target: 'p3:A2', volume: 1000 });
    expect(bad).toMatchObject({ status: 'rejected', error: { code: 'BAD_PARAMETER' } });
    expect(bad.status !== 'done' && bad.error.message).toMatch(/volume/);
  });

  it('runs out of tips and carries on after load_tips', async () => {
    done(await rig.run('lh', 'new_plate', { plate: 'p4' }));
    // 200 tips: two full plates of single transfers fit, the third runs dry after 8 wells.
    for (let i = 0; i < 2; i++)
      done(await rig.run('lh', 'transfer', { source: 'water', target: 'p4:A1-H12', volume: 1 }));
    const third = await rig.run('lh', 'transfer', { source: 'water', target: 'p4:A1-H12', volume: 1 });
    expect(failure(third)).toBe('TIPS_EXHAUSTED');
    expect(third.status !== 'done' && third.error.message).toMatch(/no tips left/);
    expect(done(await rig.run('lh', 'load_tips', { racks: 1 }))).toEqual({ tips: 96 });
    expect(done(await rig.run('lh', 'transfer', { source: 'water', target: 'p4:A1', volume: 1 }))).toEqual({
      wells: 1,
      tips_left: 95,
    });
  });
});
