/**
 * The simulated chemistry instruments as LADS devices over OPC UA, bound to the flow-path physics:
 * - a syringe pump: FlowRate (control, mL/min), SyringeVolume and Pressure (sensors), programs Refill and Flush;
 * - the heated flow reactor: Temperature (control, °C; Stop turns the heater off), ResidenceTime, TotalFlow and
 *   Pressure (sensors), ReactorVolume (a property);
 * - the inline HPLC: Detector (sensor, mAU), programs Analyze (inject the outlet, separate, integrate; the Result
 *   holds the chromatogram, peak table and calibrated concentrations) and Flush.
 * Action names for faults and the audit: pump start, stop, refill, flush; reactor heat, cool; HPLC analyze, flush;
 * every unit stop, abort, clear.
 */
import { DataType } from 'node-opcua';
import type { Clock } from '../../../src/common/clock.js';
import { uniformAt } from '../../common/time-noise.js';
import type { FlowPath } from '../flow-path.model.js';
import { inject, PEAKS, RUN_TIME_MIN } from '../hplc.model.js';
import type { SyringePump } from '../syringe-pump.model.js';
import type { CallGate } from './call-gate.js';
import type { LadsServer } from './lads-server.js';
import type { ResultVariable } from './lads-programs.js';
import { LadsUnit, UNITS } from './lads-unit.js';

export interface DeviceContext {
  server: LadsServer;
  clock: Clock;
  gate: CallGate;
  seed: number;
  path: FlowPath;
}

export function pumpDevice(c: DeviceContext, pump: SyringePump): LadsUnit {
  const unit = new LadsUnit(c.server, 'Pump', {
    clock: c.clock,
    gate: c.gate,
    seed: c.seed,
    programs: [
      {
        id: 'Refill',
        description: 'Refill the syringe from its reservoir',
        action: 'refill',
        estimatedMs: (pump.capacityMl / pump.refillRate) * 60_000,
        run: async (r) => {
          r.step('Refill', 1);
          await pump.refill(r.wait);
          return { Volume: { dataType: 'Double', value: pump.volume() } };
        },
      },
      {
        id: 'Flush',
        description: 'Flush the line (clears a clog)',
        action: 'flush',
        estimatedMs: 120_000,
        run: async (r) => {
          r.step('Flush', 1);
          await r.wait(120_000);
          c.path.clogFactor = 1;
          return {};
        },
      },
    ],
  });
  const noise = (key: string, t: number): number => uniformAt(c.seed, `${c.server.o.device}.${key}`, t);
  unit.control({
    name: 'FlowRate',
    unit: UNITS.mlPerMin,
    range: [0, pump.maxFlow],
    actions: { start: 'start', stop: 'stop' },
    current: (t) => pump.currentFlow * (1 + 0.002 * noise('flow', t)),
    target: () => pump.target,
    setTarget: (v) => pump.setTarget(v),
    start: () => pump.start(),
    stop: () => pump.stop(),
    running: () => pump.state === 'running',
  });
  unit.sensor({
    name: 'SyringeVolume',
    unit: UNITS.ml,
    range: [0, pump.capacityMl],
    value: (t) => pump.volume(t),
  });
  unit.sensor({
    name: 'Pressure',
    unit: UNITS.bar,
    range: [0, 100],
    value: (t) => c.path.pressureBar() + 0.02 * noise('pressure', t),
  });
  return unit;
}

export function reactorDevice(c: DeviceContext): LadsUnit {
  const unit = new LadsUnit(c.server, 'Reactor', { clock: c.clock, gate: c.gate, seed: c.seed });
  const noise = (key: string, t: number): number => uniformAt(c.seed, `${c.server.o.device}.${key}`, t);
  let heating = false;
  let targetC = c.path.setpoint;
  unit.control({
    name: 'Temperature',
    unit: UNITS.celsius,
    range: [20, 150],
    actions: { start: 'heat', stop: 'cool' },
    // ±0.1 °C readout noise (LADS workshop controller, instruments.md §6.2).
    current: (t) => c.path.temperature(t) + 0.1 * noise('temperature', t),
    target: () => targetC,
    setTarget: (v) => {
      targetC = v;
      if (heating) c.path.setTemperature(v, c.clock.now());
    },
    start: () => {
      heating = true;
      c.path.setTemperature(targetC, c.clock.now());
    },
    stop: () => {
      heating = false;
      c.path.setTemperature(25, c.clock.now());
    },
    running: () => heating,
  });
  unit.sensor({
    name: 'ResidenceTime',
    unit: UNITS.minute,
    range: [0, 10_000],
    value: () => Math.min(10_000, c.path.residenceTime()),
  });
  unit.sensor({ name: 'TotalFlow', unit: UNITS.mlPerMin, range: [0, 50], value: () => c.path.totalFlow() });
  unit.sensor({
    name: 'Pressure',
    unit: UNITS.bar,
    range: [0, 100],
    value: (t) => c.path.pressureBar() + 0.02 * noise('pressure', t),
  });
  c.server.namespace.addVariable({
    componentOf: unit.node,
    browseName: 'ReactorVolume',
    nodeId: `s=${c.server.o.device}.${unit.name}-ReactorVolume`,
    dataType: 'Double',
    value: { dataType: DataType.Double, value: c.path.o.volumeMl },
  });
  return unit;
}

export function hplcDevice(c: DeviceContext): LadsUnit {
  const unit = new LadsUnit(c.server, 'HPLC', {
    clock: c.clock,
    gate: c.gate,
    seed: c.seed,
    programs: [
      {
        id: 'Analyze',
        description: 'Inject the reactor outlet, separate, integrate',
        action: 'analyze',
        estimatedMs: RUN_TIME_MIN * 60_000 + 10_000,
        run: async (r) => {
          r.step('Inject', 1);
          await r.wait(5000);
          const injectedAt = c.clock.now();
          const sample = c.path.outlet(injectedAt);
          r.step('Separate', 2);
          await r.wait(RUN_TIME_MIN * 60_000);
          r.step('Integrate', 3);
          await r.wait(5000);
          const result = inject(sample, r.rng, { rtShift: c.gate.bias('retention') });
          const areas = result.peaks.map((p) => p.area + c.gate.bias('area'));
          const out: Record<string, ResultVariable> = {
            InjectedAt: { dataType: 'String', value: new Date(injectedAt).toISOString() },
            Time: { dataType: 'DoubleArray', value: result.chromatogram.time },
            Signal: { dataType: 'DoubleArray', value: result.chromatogram.signal },
            PeakNames: { dataType: 'StringArray', value: result.peaks.map((p) => p.name) },
            RetentionTimes: { dataType: 'DoubleArray', value: result.peaks.map((p) => p.rt) },
            PeakAreas: { dataType: 'DoubleArray', value: areas },
          };
          PEAKS.forEach((p, i) => {
            out[`Area_${p.name}`] = { dataType: 'Double', value: areas[i] as number };
            out[`Conc_${p.name}`] = { dataType: 'Double', value: (areas[i] as number) / p.responseFactor };
          });
          return out;
        },
      },
      {
        id: 'Flush',
        description: 'Flush the column and sample loop',
        action: 'flush',
        estimatedMs: 180_000,
        run: async (r) => {
          r.step('Flush', 1);
          await r.wait(180_000);
          return {};
        },
      },
    ],
  });
  unit.sensor({
    name: 'Detector',
    unit: UNITS.mau,
    range: [-10, 2000],
    value: (t) => 0.02 * uniformAt(c.seed, `${c.server.o.device}.detector`, t),
  });
  return unit;
}
