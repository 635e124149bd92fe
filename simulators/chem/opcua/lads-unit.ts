/**
 * A LADS functional unit of a simulated device: its state machine (Start/Stop/Abort/Clear/StartProgram), analog
 * control functions (TargetValue, CurrentValue, StartWithTargetValue/Start/Stop), analog sensors, and a program
 * manager whose runs become Results with a VariableSet. Live values are getters on lab time; states, active-program
 * fields and results are pushed when they change.
 *
 * StartProgram is idempotent on SupervisoryTaskId (labloop passes its command id): the same task id returns the
 * run it started before and never starts another. Real LADS devices need not do this; the driver must find a run
 * again in the ResultSet rather than rely on it.
 */
import {
  DataType,
  makeEUInformation,
  promoteToStateMachine,
  Range,
  StatusCodes,
  Variant,
  type CallMethodResultOptions,
  type EUInformation,
  type UAMethod,
  type UAObject,
  type UAStateMachineEx,
  type UAVariable,
} from 'node-opcua';
import { sleep, type Clock } from '../../../src/common/clock.js';
import type { CallGate } from './call-gate.js';
import type { LadsServer } from './lads-server.js';
import { ProgramManager, type ProgramDef } from './lads-programs.js';

export const UNITS = {
  mlPerMin: makeEUInformation('41', 'mL/min', 'millilitre per minute'),
  ml: makeEUInformation('MLT', 'mL', 'millilitre'),
  celsius: makeEUInformation('CEL', '°C', 'degree Celsius'),
  bar: makeEUInformation('BAR', 'bar', 'bar'),
  minute: makeEUInformation('MIN', 'min', 'minute'),
  mau: makeEUInformation('', 'mAU', 'milli absorbance unit'),
} as const;

export interface ControlDef {
  name: string;
  unit: EUInformation;
  range: [number, number];
  /** Fault/audit names of starting and stopping this function. */
  actions: { start: string; stop: string };
  current(t: number): number;
  target(): number;
  setTarget(v: number): void;
  start(): void;
  stop(): void;
  running(): boolean;
}

export interface SensorDef {
  name: string;
  unit: EUInformation;
  range: [number, number];
  value(t: number): number;
}

/** How fast clients may sample live values, real ms (scaled time makes a real ms worth many lab ms). */
const SAMPLING_MS = 10;

export class LadsUnit {
  readonly node: UAObject;
  readonly state: UAStateMachineEx;
  readonly programs?: ProgramManager;
  private readonly controlStates = new Map<string, UAStateMachineEx>();
  private calls = 0;

  constructor(
    private readonly server: LadsServer,
    readonly name: string,
    private readonly o: { clock: Clock; gate: CallGate; seed: number; programs?: ProgramDef[] },
  ) {
    const optionals = [
      'FunctionSet',
      'FunctionalUnitState.Start',
      'FunctionalUnitState.Stop',
      'FunctionalUnitState.Abort',
      'FunctionalUnitState.Clear',
    ];
    if (o.programs)
      optionals.push(
        'ProgramManager',
        'FunctionalUnitState.StartProgram',
        ...[
          'CurrentRuntime',
          'CurrentStepName',
          'CurrentStepNumber',
          'EstimatedRuntime',
          'DeviceProgramRunId',
        ].map((p) => `ProgramManager.ActiveProgram.${p}`),
      );
    const set = server.device.getChildByName('FunctionalUnitSet') as UAObject;
    this.node = server.objectType('FunctionalUnitType').instantiate({
      browseName: { name, namespaceIndex: server.namespace.index },
      nodeId: `s=${server.o.device}.${name}`,
      componentOf: set,
      optionals,
    });
    this.state = promoteToStateMachine(this.node.getChildByName('FunctionalUnitState') as UAObject);
    this.state.setState('Stopped');
    if (o.programs) this.programs = new ProgramManager(server, this, o.programs, o);
    this.bindUnitMethods();
  }

  /** The next id for a call that carries none (plain method calls have no command id). */
  nextCallId(action: string): string {
    return `${this.server.o.device}.${this.name}:${action}#${++this.calls}`;
  }

  method(parent: UAObject, name: string): UAMethod {
    const m = parent.getChildByName(name);
    if (!m) throw new Error(`${parent.browseName.toString()} has no method ${name}`);
    return m as UAMethod;
  }

  /** Binds an async handler (node-opcua tells async handlers from callback ones by arity: both params declared). */
  bind(parent: UAObject, name: string, fn: (args: Variant[]) => Promise<CallMethodResultOptions>): void {
    this.method(parent, name).bindMethod(async (args: Variant[], _context: unknown) => fn(args));
  }

  /** A transitional state held for a lab second, then the final state (as LADS devices do). */
  async transition(sm: UAStateMachineEx, via: string, to: string): Promise<void> {
    sm.setState(via);
    await sleep(this.o.clock, 1000);
    sm.setState(to);
  }

  control(def: ControlDef): UAObject {
    const fn = this.server.objectType('AnalogControlFunctionType').instantiate({
      browseName: { name: def.name, namespaceIndex: this.server.namespace.index },
      componentOf: this.node.getChildByName('FunctionSet') as UAObject,
      optionals: [
        'ControlFunctionState.StartWithTargetValue',
        'ControlFunctionState.Start',
        'ControlFunctionState.Stop',
      ],
    });
    this.enable(fn);
    const gate = this.o.gate;
    const target = fn.getChildByName('TargetValue') as UAVariable;
    describeAnalog(target, def.unit, def.range);
    target.bindVariable(
      {
        get: () => new Variant({ dataType: DataType.Double, value: def.target() }),
        set: (v: Variant) => {
          const x = Number(v.value);
          if (!(x >= def.range[0] && x <= def.range[1])) return StatusCodes.BadOutOfRange;
          if (gate.garbageReadings) return StatusCodes.BadDeviceFailure;
          def.setTarget(x);
          return StatusCodes.Good;
        },
      },
      true,
    );
    const current = fn.getChildByName('CurrentValue') as UAVariable;
    describeAnalog(current, def.unit, def.range);
    this.live(current, def.name, def.current);
    const smNode = fn.getChildByName('ControlFunctionState') as UAObject;
    const sm = promoteToStateMachine(smNode);
    sm.setState('Stopped');
    this.controlStates.set(def.name, sm);
    const run = (action: string, work: () => void): Promise<CallMethodResultOptions> =>
      gate.call(action, this.nextCallId(action), async ({ stuck }) => {
        work();
        if (stuck) sm.setState('Stopping');
        else sm.setState(def.running() ? 'Running' : 'Stopped');
        return { statusCode: StatusCodes.Good };
      });
    this.bind(smNode, 'StartWithTargetValue', async (args: Variant[]) => {
      const x = Number(args[0]?.value);
      if (!(x >= def.range[0] && x <= def.range[1])) return { statusCode: StatusCodes.BadOutOfRange };
      return run(def.actions.start, () => {
        def.setTarget(x);
        def.start();
      });
    });
    this.bind(smNode, 'Start', async () => run(def.actions.start, () => def.start()));
    this.bind(smNode, 'Stop', async () => run(def.actions.stop, () => def.stop()));
    return fn;
  }

  /** Re-reads a control function's state (it may stop on its own: a pump running dry). */
  refreshControl(name: string, running: boolean): void {
    const sm = this.controlStates.get(name);
    if (sm && sm.getCurrentState()?.includes('Stopping') !== true)
      sm.setState(running ? 'Running' : 'Stopped');
  }

  sensor(def: SensorDef): UAObject {
    const fn = this.server.objectType('AnalogScalarSensorFunctionType').instantiate({
      browseName: { name: def.name, namespaceIndex: this.server.namespace.index },
      componentOf: this.node.getChildByName('FunctionSet') as UAObject,
    });
    this.enable(fn);
    for (const child of ['SensorValue', 'RawValue']) {
      const v = fn.getChildByName(child) as UAVariable;
      describeAnalog(v, def.unit, def.range);
      this.live(v, def.name, def.value);
    }
    return fn;
  }

  private enable(fn: UAObject): void {
    (fn.getChildByName('IsEnabled') as UAVariable | null)?.setValueFromSource({
      dataType: DataType.Boolean,
      value: true,
    });
  }

  /** A value computed from lab time whenever a client reads or samples it; drift and garbage faults apply. */
  private live(v: UAVariable, reading: string, value: (t: number) => number): void {
    v.minimumSamplingInterval = SAMPLING_MS;
    v.bindVariable(
      {
        get: () => {
          if (this.o.gate.garbageReadings)
            return new Variant({ dataType: DataType.Double, value: Number.NaN });
          const x = value(this.o.clock.now()) + this.o.gate.bias(reading);
          return new Variant({ dataType: DataType.Double, value: Math.round(x * 1e4) / 1e4 });
        },
      },
      true,
    );
  }

  private bindUnitMethods(): void {
    const smNode = this.node.getChildByName('FunctionalUnitState') as UAObject;
    const gate = this.o.gate;
    const plain = (action: string, work: () => Promise<void> | void) =>
      gate.call(action, this.nextCallId(action), async () => {
        await work();
        return { statusCode: StatusCodes.Good };
      });
    this.bind(smNode, 'Start', async () => {
      if (this.programs) return { statusCode: StatusCodes.BadNotSupported };
      return plain('start', () => this.state.setState('Running'));
    });
    this.bind(smNode, 'Stop', async () =>
      plain('stop', async () => {
        if (this.programs?.running) await this.programs.stop('Stopping', 'Stopped');
        else await this.transition(this.state, 'Stopping', 'Stopped');
      }),
    );
    this.bind(smNode, 'Abort', async () =>
      plain('abort', async () => {
        if (this.programs?.running) await this.programs.stop('Aborting', 'Aborted');
        else await this.transition(this.state, 'Aborting', 'Aborted');
      }),
    );
    this.bind(smNode, 'Clear', async () =>
      plain('clear', async () => {
        this.programs?.clear();
        await this.transition(this.state, 'Clearing', 'Stopped');
      }),
    );
  }
}

/** Sets EURange and EngineeringUnits of an AnalogUnitRange variable. */
export function describeAnalog(v: UAVariable, unit: EUInformation, range: [number, number]): void {
  (v.getChildByName('EngineeringUnits') as UAVariable | null)?.setValueFromSource({
    dataType: DataType.ExtensionObject,
    value: unit,
  });
  (v.getChildByName('EURange') as UAVariable | null)?.setValueFromSource({
    dataType: DataType.ExtensionObject,
    value: new Range({ low: range[0], high: range[1] }),
  });
}
