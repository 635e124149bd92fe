/**
 * The lab-file entries of the simulated chemistry instruments, as our best reading of DESIGN.md's "OPC UA mapping":
 * each labloop action is a short list of OPC UA operations — `write` a variable, `call` a method, `wait` until a
 * monitored variable meets a condition, `read` a result — or the LADS preset (`lads: { unit, program }`: StartProgram
 * with the experiment id as SupervisoryJobId and the command id as SupervisoryTaskId, follow the unit's state, read
 * the Result's VariableSet). Nodes are browse paths from the LADS device under DI's DeviceSet, matched by browse
 * name. This shape is not in the lab schema yet (issue 4 adds `driver: opcua`); the lead aligns the two after merging.
 */
import { CHEM_INSTRUMENTS, type ChemInstrumentDef } from '../chem/chem-instruments.js';
import { PEAKS } from '../chem/hplc.model.js';

export interface OpcuaLabOptions {
  /** Endpoint URL per instrument id. */
  endpoints: Record<string, string>;
  /** Only these instruments (default: those with an endpoint). */
  instruments?: readonly string[];
}

const unitPath = (_d: ChemInstrumentDef, unit: string): string => `FunctionalUnitSet/${unit}`;
const fn = (d: ChemInstrumentDef, unit: string, name: string): string =>
  `${unitPath(d, unit)}/FunctionSet/${name}`;

function pump(d: ChemInstrumentDef): Record<string, unknown> {
  const flow = fn(d, 'Pump', 'FlowRate');
  return {
    actions: {
      set_flow: {
        description: 'Set the flow rate and pump until stopped (or the syringe is empty)',
        params: { flow: { type: 'number', unit: 'mL/min' } },
        do: [
          { write: { node: `${flow}/TargetValue`, value: '${params.flow}' } },
          { call: { method: `${flow}/ControlFunctionState/Start` } },
          {
            wait: {
              node: `${flow}/CurrentValue`,
              within: { target: '${params.flow}', tolerance: 0.05 },
              for: '2 s',
              timeout: '1 min',
            },
          },
        ],
      },
      stop: { description: 'Stop pumping', do: [{ call: { method: `${flow}/ControlFunctionState/Stop` } }] },
      refill: {
        description: 'Refill the syringe from its reservoir (pump stopped)',
        lads: { unit: unitPath(d, 'Pump'), program: 'Refill' },
        result: { volume: { type: 'number', unit: 'mL', from: 'Volume' } },
      },
      flush: {
        description: 'Flush the line (clears a clog)',
        lads: { unit: unitPath(d, 'Pump'), program: 'Flush' },
      },
    },
    readings: {
      flow: { node: `${flow}/CurrentValue`, type: 'number', unit: 'mL/min' },
      volume: { node: `${fn(d, 'Pump', 'SyringeVolume')}/SensorValue`, type: 'number', unit: 'mL' },
      pressure: { node: `${fn(d, 'Pump', 'Pressure')}/SensorValue`, type: 'number', unit: 'bar' },
    },
    limits: { 'set_flow.flow': { min: 0, max: 10, unit: 'mL/min' } },
  };
}

function reactor(d: ChemInstrumentDef): Record<string, unknown> {
  const t = fn(d, 'Reactor', 'Temperature');
  return {
    actions: {
      set_temperature: {
        description: 'Heat to a temperature and wait until it holds within ±0.5 °C for 30 s',
        params: { temperature: { type: 'number', unit: 'degC' } },
        do: [
          {
            call: {
              method: `${t}/ControlFunctionState/StartWithTargetValue`,
              args: [{ type: 'Double', value: '${params.temperature}' }],
            },
          },
          {
            wait: {
              node: `${t}/CurrentValue`,
              within: { target: '${params.temperature}', tolerance: 0.5 },
              for: '30 s',
              timeout: '45 min',
            },
          },
        ],
      },
      heater_off: {
        description: 'Turn the heater off',
        do: [{ call: { method: `${t}/ControlFunctionState/Stop` } }],
      },
    },
    readings: {
      temperature: { node: `${t}/CurrentValue`, type: 'number', unit: 'degC' },
      residence_time: {
        node: `${fn(d, 'Reactor', 'ResidenceTime')}/SensorValue`,
        type: 'number',
        unit: 'min',
      },
      total_flow: { node: `${fn(d, 'Reactor', 'TotalFlow')}/SensorValue`, type: 'number', unit: 'mL/min' },
      pressure: { node: `${fn(d, 'Reactor', 'Pressure')}/SensorValue`, type: 'number', unit: 'bar' },
      volume: { node: `${unitPath(d, 'Reactor')}/ReactorVolume`, type: 'number', unit: 'mL' },
    },
    limits: { 'set_temperature.temperature': { min: 20, max: 140, unit: 'degC' } },
  };
}

function hplc(d: ChemInstrumentDef): Record<string, unknown> {
  const result: Record<string, unknown> = {
    time: { type: 'number[]', unit: 'min', from: 'Time' },
    signal: { type: 'number[]', unit: 'mAU', from: 'Signal' },
    peak_names: { type: 'string[]', from: 'PeakNames' },
    retention_times: { type: 'number[]', unit: 'min', from: 'RetentionTimes' },
    peak_areas: { type: 'number[]', unit: 'mAU*s', from: 'PeakAreas' },
  };
  for (const p of PEAKS) {
    result[`area_${p.name.toLowerCase()}`] = { type: 'number', unit: 'mAU*s', from: `Area_${p.name}` };
    result[`conc_${p.name.toLowerCase()}`] = { type: 'number', unit: 'M', from: `Conc_${p.name}` };
  }
  return {
    actions: {
      analyze: {
        description: 'Inject the reactor outlet and return the chromatogram and peak table (about 8 min)',
        lads: { unit: unitPath(d, 'HPLC'), program: 'Analyze' },
        result,
      },
      flush: { description: 'Flush column and loop', lads: { unit: unitPath(d, 'HPLC'), program: 'Flush' } },
    },
    readings: { detector: { node: `${fn(d, 'HPLC', 'Detector')}/SensorValue`, type: 'number', unit: 'mAU' } },
    limits: {},
  };
}

/** Instrument entries (id → object) for the chemistry lab. */
export function opcuaInstruments(o: OpcuaLabOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of CHEM_INSTRUMENTS) {
    const endpoint = o.endpoints[d.id];
    if (!endpoint || (o.instruments && !o.instruments.includes(d.id))) continue;
    const body = d.kind === 'pump' ? pump(d) : d.kind === 'reactor' ? reactor(d) : hplc(d);
    out[d.id] = {
      driver: 'opcua',
      description: d.description,
      endpoint,
      security: { mode: 'None' },
      device: d.device,
      ...body,
    };
  }
  return out;
}
