/** A real MQTT rig for driver tests: embedded broker on a free port, one simulated instrument, one driver. */
import { EmbeddedBroker } from '../../src/broker/embedded-broker.js';
import { SystemClock, type Clock } from '../../src/common/clock.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import { MqttInstrumentDriver } from '../../drivers/mqtt/mqtt-instrument.driver.js';
import { MqttLink } from '../../drivers/mqtt/mqtt-link.js';
import { instrumentSchema } from '../../src/protocol/lab.schema.js';
import { MqttSimInstrument } from '../../simulators/common/mqtt-sim-instrument.js';
import type { SimModel } from '../../simulators/common/sim-model.js';

export interface MqttRig {
  broker: EmbeddedBroker;
  link: MqttLink;
  driver: MqttInstrumentDriver;
  sim?: MqttSimInstrument;
  events: EventBus;
  clock: Clock;
  executed: string[];
  close(): Promise<void>;
}

export async function mqttRig(
  o: { model?: SimModel; replyTimeoutMs?: number; startSim?: boolean } = {},
): Promise<MqttRig> {
  const clock = new SystemClock();
  const broker = await EmbeddedBroker.start({ port: 0 });
  const events = new EventBus(clock);
  const link = new MqttLink({ url: broker.url, topicPrefix: 'labloop' });
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
  let sim: MqttSimInstrument | undefined;
  if (o.startSim !== false) {
    sim = new MqttSimInstrument({
      id: 'dev',
      url: broker.url,
      model,
      clock,
      seed: 1,
      onExecute: (id) => executed.push(id),
    });
    await sim.start();
  }
  return {
    broker,
    link,
    driver,
    sim,
    events,
    clock,
    executed,
    close: async () => {
      await sim?.stop();
      await driver.close();
      await link.close();
      await broker.close();
    },
  };
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
