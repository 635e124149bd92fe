/**
 * The instruments of the simulated chemistry lab — ids, LADS device names, default ports, stocks — and what fault
 * scripts may name on them. Plain data, no OPC UA: lab-file writers and the CLI read it without loading node-opcua.
 */
import type { FaultTargets } from '../common/fault-script.loader.js';
import type { Stock } from './flow-path.model.js';

export type ChemInstrumentKind = 'pump' | 'reactor' | 'hplc';

export interface ChemInstrumentDef {
  id: string;
  kind: ChemInstrumentKind;
  /** LADS device browse name (node ids start with it). */
  device: string;
  model: string;
  defaultPort: number;
  stock?: Stock;
  description: string;
}

export const CHEM_INSTRUMENTS: readonly ChemInstrumentDef[] = [
  {
    id: 'pump-a',
    kind: 'pump',
    device: 'PumpA',
    model: 'SyringePump',
    defaultPort: 4841,
    stock: { a: 2.0, b: 0 },
    description: 'Syringe pump, 2,4-difluoronitrobenzene 2.0 M in ethanol (simulated)',
  },
  {
    id: 'pump-b',
    kind: 'pump',
    device: 'PumpB',
    model: 'SyringePump',
    defaultPort: 4842,
    stock: { a: 0, b: 4.2 },
    description: 'Syringe pump, pyrrolidine 4.2 M in ethanol (simulated)',
  },
  {
    id: 'pump-solvent',
    kind: 'pump',
    device: 'PumpSolvent',
    model: 'SyringePump',
    defaultPort: 4843,
    stock: { a: 0, b: 0 },
    description: 'Syringe pump, ethanol make-up (simulated)',
  },
  {
    id: 'reactor',
    kind: 'reactor',
    device: 'FlowReactor',
    model: 'HeatedCoilReactor',
    defaultPort: 4844,
    description: 'Heated continuous-flow coil reactor, 5 mL (simulated)',
  },
  {
    id: 'hplc',
    kind: 'hplc',
    device: 'InlineHPLC',
    model: 'InlineHPLC',
    defaultPort: 4845,
    description: 'Inline HPLC with UV detector on the reactor outlet (simulated)',
  },
];

/** What fault scripts may name on the chemistry instruments (the device actions and readings of chem-devices.ts). */
export function chemFaultTargets(ids: readonly string[] = CHEM_INSTRUMENTS.map((d) => d.id)): FaultTargets {
  const unit = ['stop', 'abort', 'clear'];
  const out: FaultTargets = {};
  for (const d of CHEM_INSTRUMENTS) {
    if (!ids.includes(d.id)) continue;
    if (d.kind === 'pump')
      out[d.id] = {
        actions: ['start', 'refill', 'flush', ...unit],
        readings: ['FlowRate', 'SyringeVolume', 'Pressure'],
      };
    else if (d.kind === 'reactor')
      out[d.id] = {
        actions: ['heat', 'cool', 'start', ...unit],
        readings: ['Temperature', 'ResidenceTime', 'TotalFlow', 'Pressure'],
      };
    else out[d.id] = { actions: ['analyze', 'flush', ...unit], readings: ['Detector', 'area', 'retention'] };
  }
  return out;
}
