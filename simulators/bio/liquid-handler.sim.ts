/**
 * A simulated 8-channel liquid handler on the shared bio bench: transfers between reservoirs and 96-well plates
 * with ISO 8655 volume errors, one tip per dispense, and the errors real ones raise (codes after the Hamilton STAR
 * set, instruments.md §6.5): too little liquid (06), no tip fitted (08), tip already fitted (07), tips exhausted,
 * a well that would overflow, labware that is not there or is in another instrument.
 *
 * Addresses: a reservoir by name (`buffer_ph4`), or plate wells as `plate:wells` (`p1:A1`, `p1:A1,A2`, `p1:A1-A3`).
 */
import { deriveSeed, SeededRandom } from '../../src/common/seeded-random.js';
import { SimActionError, type SimModel, type SimModelFactory } from '../common/sim-model.js';
import { BioBench, DEFAULT_STOCKS, type StockSpec } from './bio-bench.js';
import { Liquid, parseWells, WELL_MAX_UL } from './labware.js';
import { deliveredVolume, drawChannel, type ChannelError } from './pipetting.model.js';

export const CHANNEL_NOMINAL_UL = 300;
const CHANNELS = 8;

interface Location {
  kind: 'reservoir' | 'wells';
  name: string;
  wells: string[];
}

function locate(address: string): Location {
  const colon = address.indexOf(':');
  if (colon < 0) return { kind: 'reservoir', name: address.trim(), wells: [] };
  return { kind: 'wells', name: address.slice(0, colon).trim(), wells: parseWells(address.slice(colon + 1)) };
}

/** The bench shared by the lab's bio instruments (created by whichever starts first). */
export function benchOf(ctx: Parameters<SimModelFactory>[1], options: Record<string, unknown>): BioBench {
  return ctx.shared('bio-bench', () => {
    const stocks = (options['stocks'] as Record<string, StockSpec> | undefined) ?? DEFAULT_STOCKS;
    return new BioBench(stocks, Number(options['tips'] ?? 960));
  });
}

export const liquidHandlerSim: SimModelFactory = (options, ctx) => {
  const bench = benchOf(ctx, options);
  const rng = new SeededRandom(deriveSeed(ctx.seed, ctx.id, 'channels'));
  const channels: ChannelError[] = Array.from({ length: CHANNELS }, () =>
    drawChannel(CHANNEL_NOMINAL_UL, rng),
  );
  let next = 0;
  /** The single-channel head used by the atomic actions. */
  const head: { tip: boolean; held: Liquid } = { tip: false, held: new Liquid() };

  const source = (address: string, now: number): Liquid => {
    const loc = locate(address);
    if (loc.kind === 'reservoir') return bench.reservoir(loc.name).liquid;
    if (loc.wells.length !== 1)
      throw new SimActionError('BAD_WELL', `aspirate from one well, not ${address}`);
    return wellAt(loc.name, loc.wells[0] as string, now);
  };
  const wellAt = (plateId: string, well: string, now: number): Liquid => {
    const plate = bench.plate(plateId);
    if (plate.heldBy) throw new SimActionError('PLATE_BUSY', `plate ${plateId} is in the ${plate.heldBy}`);
    plate.advance(now);
    return plate.well(well);
  };
  const reachable = (from: Liquid, address: string): number => {
    const loc = locate(address);
    const dead = loc.kind === 'reservoir' ? bench.reservoir(loc.name).deadVolume : 0;
    return Math.max(0, from.volume - dead);
  };
  const pickTip = (): void => {
    if (bench.tips <= 0)
      throw new SimActionError('TIPS_EXHAUSTED', 'no tips left on the deck; reload with load_tips');
    bench.tips--;
  };

  const model: SimModel = {
    model: 'labloop-sim liquid-handler (8 channels, 300 uL)',
    telemetryPeriodMs: Number(options['telemetryPeriodMs'] ?? 30_000),
    actions: {
      new_plate: {
        params: { plate: { type: 'string' } },
        result: {},
        async run(p, c) {
          await c.wait(5000);
          bench.newPlate(p['plate'] as string, c.clock.now());
          return {};
        },
      },
      transfer: {
        params: {
          source: { type: 'string' },
          target: { type: 'string' },
          volume: { type: 'number', unit: 'uL', min: 0.5, max: CHANNEL_NOMINAL_UL },
        },
        result: { wells: { type: 'integer' }, tips_left: { type: 'integer' } },
        async run(p, c) {
          const volume = p['volume'] as number;
          const to = locate(p['target'] as string);
          if (to.kind !== 'wells')
            throw new SimActionError('BAD_TARGET', `dispense into plate wells (plate:A1), not "${to.name}"`);
          let done = 0;
          for (const well of to.wells) {
            await c.wait(4000 + (2 * volume) / 0.1);
            const now = c.clock.now();
            const from = source(p['source'] as string, now);
            const into = wellAt(to.name, well, now);
            pickTip();
            const moved = deliveredVolume(channels[next++ % CHANNELS] as ChannelError, volume, c.rng);
            if (reachable(from, p['source'] as string) < moved)
              throw new SimActionError(
                'TOO_LITTLE_LIQUID',
                `${p['source'] as string} holds too little liquid for ${volume} uL (after ${done} of ${to.wells.length} wells)`,
              );
            if (into.volume + moved > WELL_MAX_UL)
              throw new SimActionError(
                'WELL_OVERFLOW',
                `${to.name}:${well} would hold ${(into.volume + moved).toFixed(1)} uL, more than ${WELL_MAX_UL} (after ${done} of ${to.wells.length} wells)`,
              );
            into.add(from.take(moved));
            done++;
            c.progress(done / to.wells.length);
          }
          return { wells: done, tips_left: bench.tips };
        },
      },
      pick_up_tip: {
        params: {},
        result: {},
        async run(_p, c) {
          await c.wait(3000);
          if (head.tip)
            throw new SimActionError('TIP_ALREADY_FITTED', 'a tip is already fitted; drop it first');
          pickTip();
          head.tip = true;
          return {};
        },
      },
      aspirate: {
        params: {
          source: { type: 'string' },
          volume: { type: 'number', unit: 'uL', min: 0.5, max: CHANNEL_NOMINAL_UL },
        },
        result: {},
        async run(p, c) {
          const volume = p['volume'] as number;
          await c.wait(2000 + volume / 0.1);
          if (!head.tip) throw new SimActionError('NO_TIP', 'no tip fitted; pick one up first');
          if (head.held.volume + volume > CHANNEL_NOMINAL_UL)
            throw new SimActionError('VOLUME_OUT_OF_RANGE', `the tip holds at most ${CHANNEL_NOMINAL_UL} uL`);
          const from = source(p['source'] as string, c.clock.now());
          const moved = deliveredVolume(channels[0] as ChannelError, volume, c.rng);
          if (reachable(from, p['source'] as string) < moved)
            throw new SimActionError('TOO_LITTLE_LIQUID', `${p['source'] as string} holds too little liquid`);
          head.held.add(from.take(moved));
          return {};
        },
      },
      dispense: {
        params: {
          target: { type: 'string' },
          volume: { type: 'number', unit: 'uL', min: 0.5, max: CHANNEL_NOMINAL_UL },
        },
        result: {},
        async run(p, c) {
          const volume = p['volume'] as number;
          await c.wait(2000 + volume / 0.1);
          if (!head.tip) throw new SimActionError('NO_TIP', 'no tip fitted');
          const to = locate(p['target'] as string);
          if (to.kind !== 'wells' || to.wells.length !== 1)
            throw new SimActionError('BAD_TARGET', 'dispense into one well (plate:A1)');
          const into = wellAt(to.name, to.wells[0] as string, c.clock.now());
          const moved = Math.min(head.held.volume, volume);
          if (into.volume + moved > WELL_MAX_UL)
            throw new SimActionError('WELL_OVERFLOW', `${p['target'] as string} would overflow`);
          into.add(head.held.take(moved));
          return {};
        },
      },
      drop_tip: {
        params: {},
        result: {},
        async run(_p, c) {
          await c.wait(2000);
          head.tip = false;
          head.held = new Liquid();
          return {};
        },
      },
      load_tips: {
        params: { racks: { type: 'integer', min: 1, max: 10 } },
        result: { tips: { type: 'integer' } },
        async run(p, c) {
          await c.wait(30_000);
          bench.tips = Math.min(bench.tipCapacity, bench.tips + 96 * (p['racks'] as number));
          return { tips: bench.tips };
        },
      },
      refill: {
        params: { reservoir: { type: 'string' } },
        result: {},
        async run(p, c) {
          await c.wait(60_000);
          const name = p['reservoir'] as string;
          const stocks = (options['stocks'] as Record<string, StockSpec> | undefined) ?? DEFAULT_STOCKS;
          const stock = stocks[name];
          if (!stock) throw new SimActionError('UNKNOWN_LABWARE', `no stock "${name}" to refill from`);
          bench.fill(name, stock);
          return {};
        },
      },
      clear_jam: maintenance(20_000),
      home: maintenance(10_000),
    },
    readings: {
      tips: { type: 'integer', sample: () => bench.tips },
    },
  };
  return model;
};

function maintenance(ms: number): SimModel['actions'][string] {
  return {
    params: {},
    result: {},
    async run(_p, c) {
      await c.wait(ms);
      return {};
    },
  };
}
