/** Starts the simulated instruments a lab file declares (instruments with a `simulator:` block). */
import type { Clock } from '../src/common/clock.js';
import { LabError } from '../src/common/lab-error.js';
import type { LabSpec } from '../src/protocol/lab.schema.js';
import { faultsOf } from './common/fault-script.loader.js';
import type { FaultScript } from './common/fault-script.schema.js';
import { InstrumentFaults } from './common/instrument-faults.js';
import { MqttSimInstrument } from './common/mqtt-sim-instrument.js';
import { labContext } from './common/sim-model.js';
import { SIM_MODELS } from './registry.js';

export interface SimBroker {
  url: string;
  username?: string;
  password?: string;
  topicPrefix: string;
}

export interface SimHostOptions {
  clock: Clock;
  /** Where the lab's broker called `name` is, with the login `instrument` uses on it. */
  broker(name: string, instrument: string): SimBroker;
  onExecute?: (instrument: string, commandId: string, action: string) => void;
  /** Faults to inject (instruments of other labs are ignored). */
  faults?: FaultScript;
  /** Objects shared by the simulators of one lab (e.g. the bio bench); one per lab file. */
  shared?: Map<string, unknown>;
}

export async function startLabSimulators(lab: LabSpec, o: SimHostOptions): Promise<MqttSimInstrument[]> {
  const started: MqttSimInstrument[] = [];
  const shared = o.shared ?? new Map<string, unknown>();
  try {
    for (const [id, inst] of Object.entries(lab.instruments)) {
      if (!inst.simulator || inst.driver !== 'mqtt') continue;
      const factory = SIM_MODELS[inst.simulator.model];
      if (!factory)
        throw new LabError('NOT_FOUND', `no simulator model "${inst.simulator.model}" for instrument ${id}`);
      const broker = o.broker(inst.broker, id);
      const seed = inst.simulator.seed;
      const specs = faultsOf(o.faults, id);
      const sim = new MqttSimInstrument({
        id,
        url: broker.url,
        username: broker.username,
        password: broker.password,
        topicPrefix: inst.topicPrefix ?? broker.topicPrefix,
        model: factory(inst.simulator.options, labContext(id, seed, shared)),
        clock: o.clock,
        seed,
        faults:
          specs.length > 0
            ? new InstrumentFaults({ instrument: id, specs, clock: o.clock, seed: o.faults?.seed ?? 1 })
            : undefined,
        onExecute: o.onExecute ? (cmd, action) => o.onExecute?.(id, cmd, action) : undefined,
      });
      await sim.start();
      started.push(sim);
    }
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
  return started;
}
