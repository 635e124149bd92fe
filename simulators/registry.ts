/** Every simulator model, by the name lab files use in `simulator.model`. */
import { enzymeReaderSim } from './bio/enzyme-reader.sim.js';
import { incubatorSim } from './bio/incubator.sim.js';
import { liquidHandlerSim } from './bio/liquid-handler.sim.js';
import { plateReaderSim } from './bio/plate-reader.sim.js';
import { instantSim } from './common/instant.sim.js';
import type { SimModelFactory } from './common/sim-model.js';

export const SIM_MODELS: Readonly<Record<string, SimModelFactory>> = {
  'enzyme-reader': enzymeReaderSim,
  'liquid-handler': liquidHandlerSim,
  'incubator-shaker': incubatorSim,
  'plate-reader': plateReaderSim,
  instant: instantSim,
};
