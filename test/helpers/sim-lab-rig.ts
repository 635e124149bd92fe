/**
 * A simulated lab on real sockets for tests: an embedded broker on a free port, simulated instruments, and the
 * daemon's own MQTT driver for each, all on the given clock. `run` sends one command the way the daemon does.
 */
import { randomUUID } from 'node:crypto';
import { EmbeddedBroker } from '../../src/broker/embedded-broker.js';
import type { Clock } from '../../src/common/clock.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import type { CommandOutcome } from '../../src/lab/instrument-driver.port.js';
import { labSchema } from '../../src/protocol/lab.schema.js';
import { MqttInstrumentDriver } from '../../drivers/mqtt/mqtt-instrument.driver.js';
import { MqttLink } from '../../drivers/mqtt/mqtt-link.js';
import type { FaultSpec } from '../../simulators/common/fault-script.schema.js';
import { InstrumentFaults } from '../../simulators/common/instrument-faults.js';
import { MqttSimInstrument } from '../../simulators/common/mqtt-sim-instrument.js';
import { mqttLabObject, type SimulatedInstrument } from '../../simulators/labs/lab-file.writer.js';
import { waitFor } from './wait-for.js';

export interface SimLabRig {
  broker: EmbeddedBroker;
  sims: Record<string, MqttSimInstrument>;
  drivers: Record<string, MqttInstrumentDriver>;
  link: MqttLink;
  executed: { instrument: string; id: string; action: string }[];
  /** Sends one command (deadline: 60 s of lab time from now unless given). */
  run(
    instrument: string,
    action: string,
    params: Record<string, unknown>,
    timeoutMs?: number,
    deadlineMs?: number,
  ): Promise<CommandOutcome>;
  close(): Promise<void>;
}

export async function simLabRig(o: {
  clock: Clock;
  instruments: (SimulatedInstrument & { seed: number })[];
  faults?: FaultSpec[];
  replyTimeoutMs?: number;
}): Promise<SimLabRig> {
  const broker = await EmbeddedBroker.start({ port: 0 });
  const events = new EventBus(o.clock);
  const link = new MqttLink({ url: broker.url, topicPrefix: 'labloop' });
  const lab = labSchema.parse(
    mqttLabObject({ name: 'rig', description: 'test', instruments: o.instruments }),
  );
  const executed: SimLabRig['executed'] = [];
  const sims: Record<string, MqttSimInstrument> = {};
  const drivers: Record<string, MqttInstrumentDriver> = {};
  const replyTimeoutMs = o.replyTimeoutMs ?? 10_000;
  for (const inst of o.instruments) {
    const specs = (o.faults ?? []).filter((f) => f.instrument === inst.id);
    sims[inst.id] = new MqttSimInstrument({
      id: inst.id,
      url: broker.url,
      model: inst.model,
      clock: o.clock,
      seed: inst.seed,
      faults: new InstrumentFaults({ instrument: inst.id, specs, clock: o.clock, seed: 1 }),
      onExecute: (id, action) => executed.push({ instrument: inst.id, id, action }),
    });
    const spec = lab.instruments[inst.id];
    if (!spec) throw new Error(`no spec for ${inst.id}`);
    drivers[inst.id] = new MqttInstrumentDriver(
      {
        id: inst.id,
        spec,
        clock: o.clock,
        events,
        replyTimeoutMs,
        transports: { mqtt: () => link },
        files: { dataDir: '.', labPath: (p) => p },
      },
      replyTimeoutMs,
    );
  }
  for (const d of Object.values(drivers)) await d.connect();
  await link.waitConnected(5000);
  for (const s of Object.values(sims)) await s.start();
  for (const [id, d] of Object.entries(drivers))
    await waitFor(`${id} online`, () => d.status().online && d.describe() !== undefined, 10_000, 5);
  return {
    broker,
    sims,
    drivers,
    link,
    executed,
    run: (instrument, action, params, timeoutMs = 24 * 3_600_000, deadlineMs = 60_000) => {
      const d = drivers[instrument];
      if (!d) throw new Error(`no instrument ${instrument}`);
      return d.execute({
        id: randomUUID(),
        action,
        params,
        deadline: o.clock.now() + deadlineMs,
        timeoutMs,
      });
    },
    close: async () => {
      for (const s of Object.values(sims)) await s.stop();
      for (const d of Object.values(drivers)) await d.close();
      await link.close();
      await broker.close();
    },
  };
}
