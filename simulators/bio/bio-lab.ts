/**
 * The simulated bio lab: a liquid handler, an incubator/shaker and a plate reader working on one shared bench
 * (plates, reservoirs, tips). Used by `labloop sim bio`, by tests, and by lab files with `simulator:` blocks.
 */
import { labContext, type SimModel } from '../common/sim-model.js';
import { SIM_MODELS } from '../registry.js';
import type { SimulatedInstrument } from '../labs/lab-file.writer.js';

export interface BioInstrumentDef {
  id: string;
  model: 'liquid-handler' | 'incubator-shaker' | 'plate-reader';
  seed: number;
  description: string;
}

export const BIO_INSTRUMENTS: readonly BioInstrumentDef[] = [
  {
    id: 'lh',
    model: 'liquid-handler',
    seed: 11,
    description: 'Liquid handler, 8 channels of 300 uL (simulated)',
  },
  {
    id: 'incubator',
    model: 'incubator-shaker',
    seed: 12,
    description: 'Incubator/shaker for plates (simulated)',
  },
  {
    id: 'reader',
    model: 'plate-reader',
    seed: 13,
    description: 'Plate reader: absorbance, fluorescence (simulated)',
  },
];

/** The bio instruments as models sharing one bench (`shared`: one map per lab). */
export function bioInstruments(
  o: { seed?: number; shared?: Map<string, unknown>; options?: Record<string, unknown> } = {},
): (SimulatedInstrument & { seed: number })[] {
  const shared = o.shared ?? new Map<string, unknown>();
  return BIO_INSTRUMENTS.map((d) => {
    const seed = (o.seed ?? 0) * 1000 + d.seed;
    const factory = SIM_MODELS[d.model];
    if (!factory) throw new Error(`simulator model ${d.model} is not registered`);
    const model: SimModel = factory(o.options ?? {}, labContext(d.id, seed, shared));
    return {
      id: d.id,
      model,
      seed,
      description: d.description,
      simulator: { model: d.model, seed, options: o.options ?? {} },
    };
  });
}
