/** Starts the simulated instruments a lab file declares (instruments with a `simulator:` block). */
import type { Clock } from '../src/common/clock.js';
import { LabError } from '../src/common/lab-error.js';
import type { LabSpec } from '../src/protocol/lab.schema.js';
import { MqttSimInstrument } from './common/mqtt-sim-instrument.js';
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
}

export async function startLabSimulators(lab: LabSpec, o: SimHostOptions): Promise<MqttSimInstrument[]> {
  const started: MqttSimInstrument[] = [];
  try {
    for (const [id, inst] of Object.entries(lab.instruments)) {
      if (!inst.simulator || inst.driver !== 'mqtt') continue;
      const factory = SIM_MODELS[inst.simulator.model];
      if (!factory)
        throw new LabError('NOT_FOUND', `no simulator model "${inst.simulator.model}" for instrument ${id}`);
      const broker = o.broker(inst.broker, id);
      const sim = new MqttSimInstrument({
        id,
        url: broker.url,
        username: broker.username,
        password: broker.password,
        topicPrefix: inst.topicPrefix ?? broker.topicPrefix,
        model: factory(inst.simulator.options),
        clock: o.clock,
        seed: inst.simulator.seed,
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
