/** Every simulator model, by the name lab files use in `simulator.model`. */
import { enzymeReaderSim } from './bio/enzyme-reader.sim.js';
import { instantSim } from './common/instant.sim.js';
import type { SimModelFactory } from './common/sim-model.js';

export const SIM_MODELS: Readonly<Record<string, SimModelFactory>> = {
  'enzyme-reader': enzymeReaderSim,
  instant: instantSim,
};
