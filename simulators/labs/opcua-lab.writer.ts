/**
 * The lab-file entries of the simulated chemistry instruments for the OPC UA driver (docs/opcua.md): setpoints and
 * starts as `operations` (write, call, wait, read), refills, flushes and HPLC analyses as LADS programs, readings by
 * subscription. Nodes are browse paths from the Objects folder through DI's DeviceSet to the LADS device.
 */
import { CHEM_INSTRUMENTS, type ChemInstrumentDef } from '../chem/chem-instruments.js';
import { PEAKS } from '../chem/hplc.model.js';

export interface OpcuaLabOptions {
  /** Endpoint URL per instrument id. */
  endpoints: Record<string, string>;
}

const unit = (d: ChemInstrumentDef, name: string): string =>
  `/DeviceSet/${d.device}/FunctionalUnitSet/${name}`;
const fn = (d: ChemInstrumentDef, u: string, name: string): string => `${unit(d, u)}/FunctionSet/${name}`;

function pump(d: ChemInstrumentDef): Record<string, unknown> {
  const flow = fn(d, 'Pump', 'FlowRate');
  return {
    actions: {
      set_flow: {
        description: 'Set the flow rate and pump until stopped (or the syringe is empty)',
        params: { flow: { type: 'number', unit: 'mL/min' } },
        duration: '5 s',
      },
      stop: { description: 'Stop pumping' },
      refill: {
        description: 'Refill the syringe from its reservoir (pump stopped)',
        result: { volume: { type: 'number', unit: 'mL' } },
        duration: '2 min',
      },
      flush: { description: 'Flush the line (clears a clog)', duration: '2 min' },
    },
    readings: {
      flow: { type: 'number', unit: 'mL/min' },
      volume: { type: 'number', unit: 'mL' },
      pressure: { type: 'number', unit: 'bar' },
    },
    readingNodes: {
      flow: `${flow}/CurrentValue`,
      volume: `${fn(d, 'Pump', 'SyringeVolume')}/SensorValue`,
      pressure: `${fn(d, 'Pump', 'Pressure')}/SensorValue`,
    },
    limits: { 'set_flow.flow': { min: 0, max: 10, unit: 'mL/min' } },
    operations: {
      set_flow: {
        idempotent: true, // a setpoint and a start: repeating them is harmless
        steps: [
          { write: { node: `${flow}/TargetValue`, value: '${params.flow}' } },
          { call: { object: `${flow}/ControlFunctionState`, method: 'Start' } },
          {
            wait: {
              node: `${flow}/CurrentValue`,
              near: '${params.flow}',
              tolerance: 0.05,
              hold: '2 s',
              timeout: '1 min',
            },
          },
        ],
      },
      stop: {
        idempotent: true,
        steps: [{ call: { object: `${flow}/ControlFunctionState`, method: 'Stop' } }],
      },
    },
    lads: {
      functionalUnit: unit(d, 'Pump'),
      programs: {
        refill: { template: 'Refill', results: { volume: 'Volume' } },
        flush: { template: 'Flush' },
      },
    },
    abort: [{ call: { object: `${flow}/ControlFunctionState`, method: 'Stop' } }],
  };
}

function reactor(d: ChemInstrumentDef): Record<string, unknown> {
  const t = fn(d, 'Reactor', 'Temperature');
  return {
    actions: {
      set_temperature: {
        description: 'Heat to a temperature and wait until it holds within ±0.5 °C for 30 s',
        params: { temperature: { type: 'number', unit: 'degC' } },
        result: { temperature: { type: 'number', unit: 'degC' } },
        duration: '15 min',
      },
      heater_off: { description: 'Turn the heater off' },
    },
    readings: {
      temperature: { type: 'number', unit: 'degC' },
      residence_time: { type: 'number', unit: 'min' },
      total_flow: { type: 'number', unit: 'mL/min' },
      pressure: { type: 'number', unit: 'bar' },
      volume: { type: 'number', unit: 'mL' },
    },
    readingNodes: {
      temperature: `${t}/CurrentValue`,
      residence_time: `${fn(d, 'Reactor', 'ResidenceTime')}/SensorValue`,
      total_flow: `${fn(d, 'Reactor', 'TotalFlow')}/SensorValue`,
      pressure: `${fn(d, 'Reactor', 'Pressure')}/SensorValue`,
      volume: `${unit(d, 'Reactor')}/ReactorVolume`,
    },
    limits: { 'set_temperature.temperature': { min: 20, max: 140, unit: 'degC' } },
    operations: {
      set_temperature: {
        idempotent: true,
        steps: [
          {
            call: {
              object: `${t}/ControlFunctionState`,
              method: 'StartWithTargetValue',
              args: ['${params.temperature}'],
            },
          },
          {
            wait: {
              node: `${t}/CurrentValue`,
              near: '${params.temperature}',
              tolerance: 0.5,
              hold: '30 s',
              timeout: '45 min',
            },
          },
          { read: { node: `${t}/CurrentValue`, into: 'temperature' } },
        ],
      },
      heater_off: {
        idempotent: true,
        steps: [{ call: { object: `${t}/ControlFunctionState`, method: 'Stop' } }],
      },
    },
    abort: [{ call: { object: `${t}/ControlFunctionState`, method: 'Stop' } }],
  };
}

function hplc(d: ChemInstrumentDef): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const results: Record<string, string> = {};
  for (const p of PEAKS) {
    const key = p.name.toLowerCase();
    result[`area_${key}`] = { type: 'number', unit: 'mAU*s' };
    result[`conc_${key}`] = { type: 'number', unit: 'M' };
    results[`area_${key}`] = `Area_${p.name}`;
    results[`conc_${key}`] = `Conc_${p.name}`;
  }
  return {
    actions: {
      analyze: {
        description:
          'Inject the reactor outlet: peak areas and calibrated concentrations (the run holds the chromatogram)',
        result,
        duration: '8.5 min',
      },
      flush: { description: 'Flush column and loop', duration: '3 min' },
    },
    readings: { detector: { type: 'number', unit: 'mAU' } },
    readingNodes: { detector: `${fn(d, 'HPLC', 'Detector')}/SensorValue` },
    limits: {},
    lads: {
      functionalUnit: unit(d, 'HPLC'),
      programs: { analyze: { template: 'Analyze', results }, flush: { template: 'Flush' } },
    },
  };
}

/** Instrument entries (id → object) for the chemistry lab. */
export function opcuaInstruments(o: OpcuaLabOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of CHEM_INSTRUMENTS) {
    const endpoint = o.endpoints[d.id];
    if (!endpoint) continue;
    const body = d.kind === 'pump' ? pump(d) : d.kind === 'reactor' ? reactor(d) : hplc(d);
    out[d.id] = {
      driver: 'opcua',
      description: d.description,
      endpoint,
      security: { mode: 'None' },
      // Sampling in real time: under a scaled clock a real millisecond is many lab milliseconds.
      subscription: { publishingInterval: '20 ms', samplingInterval: '20 ms' },
      ...body,
    };
  }
  return out;
}
