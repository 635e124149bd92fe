/**
 * A real MQTT rig for driver tests: a broker (embedded aedes with logins and topic rights, or a real Mosquitto),
 * one simulated instrument `dev` logged in as itself, one driver logged in as the daemon.
 */
import type { MqttClient } from 'mqtt';
import { SystemClock, type Clock } from '../../src/common/clock.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import { MqttInstrumentDriver } from '../../drivers/mqtt/mqtt-instrument.driver.js';
import { MqttLink } from '../../drivers/mqtt/mqtt-link.js';
import { instrumentSchema } from '../../src/protocol/lab.schema.js';
import { MqttSimInstrument } from '../../simulators/common/mqtt-sim-instrument.js';
import type { SimModel } from '../../simulators/common/sim-model.js';
import { startTestBroker, type BrokerKind, type TestBroker } from './test-brokers.js';

export interface MqttRig {
  broker: TestBroker;
  link: MqttLink;
  driver: MqttInstrumentDriver;
  sim?: MqttSimInstrument;
  events: EventBus;
  clock: Clock;
  executed: string[];
  /** Starts (another) simulated `dev`, logged in as `dev`. */
  startSim(model?: SimModel): Promise<MqttSimInstrument>;
  close(): Promise<void>;
}

export async function mqttRig(
  o: { broker?: BrokerKind; model?: SimModel; replyTimeoutMs?: number; startSim?: boolean } = {},
): Promise<MqttRig> {
  const clock = new SystemClock();
  const broker = await startTestBroker(o.broker ?? 'aedes');
  const events = new EventBus(clock);
  const link = new MqttLink({ url: broker.url, topicPrefix: 'labloop', ...broker.login('labloop') });
  const executed: string[] = [];
  const model = o.model ?? echoModel();
  const spec = instrumentSchema.parse({
    driver: 'mqtt',
    actions: Object.fromEntries(
      Object.entries(model.actions).map(([k, a]) => [k, { params: a.params, result: a.result }]),
    ),
    limits: { x: { min: -1000, max: 1000 } },
  });
  const driver = new MqttInstrumentDriver(
    {
      id: 'dev',
      spec,
      clock,
      events,
      replyTimeoutMs: o.replyTimeoutMs ?? 2000,
      files: { dataDir: '.', labPath: (p) => p },
      transports: { mqtt: () => link },
    },
    o.replyTimeoutMs ?? 2000,
  );
  await driver.connect();
  await link.waitConnected(5000);
  const sims: MqttSimInstrument[] = [];
  const startSim = async (m = model): Promise<MqttSimInstrument> => {
    const sim = new MqttSimInstrument({
      id: 'dev',
      url: broker.url,
      ...broker.login('dev'),
      model: m,
      clock,
      seed: 1,
      onExecute: (id) => executed.push(id),
    });
    await sim.start();
    sims.push(sim);
    return sim;
  };
  const sim = o.startSim === false ? undefined : await startSim();
  return {
    broker,
    link,
    driver,
    sim,
    events,
    clock,
    executed,
    startSim,
    close: async () => {
      for (const s of sims) await s.stop();
      await driver.close();
      await link.close();
      await broker.close();
    },
  };
}

/** Cuts a simulated instrument's connection without a goodbye, as a crash or a pulled cable would. */
export function dropConnection(sim: MqttSimInstrument): void {
  const client = (sim as unknown as { client?: MqttClient }).client;
  client?.stream.destroy();
}

/** `echo {x}` returns {y: 2x} after `ms` milliseconds. */
export function echoModel(ms = 30): SimModel {
  return {
    model: 'echo',
    telemetryPeriodMs: 50,
    actions: {
      echo: {
        params: { x: { type: 'number' } },
        result: { y: { type: 'number' } },
        async run(params, ctx) {
          ctx.progress(0.5);
          await ctx.wait(ms);
          return { y: 2 * (params['x'] as number) };
        },
      },
    },
    readings: { level: { type: 'number', sample: () => 1.5 } },
  };
}
