/** Builds an OPC UA driver from a lab-file instrument entry, for tests against a real server. */
import { resolve } from 'node:path';
import { SystemClock, type Clock } from '../../src/common/clock.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import { instrumentSchema } from '../../src/protocol/lab.schema.js';
import { checkLab } from '../../src/protocol/lab.checks.js';
import { labSchema } from '../../src/protocol/lab.schema.js';
import { OpcuaInstrumentDriver } from '../../drivers/opcua/opcua-instrument.driver.js';

export interface OpcuaRig {
  driver: OpcuaInstrumentDriver;
  events: EventBus;
  clock: Clock;
  close(): Promise<void>;
}

/** `entry` is the instrument's lab-file entry (validated and checked like a lab file); paths resolve in `dir`. */
export function opcuaDriver(
  entry: Record<string, unknown>,
  dir: string,
  o: { replyTimeoutMs?: number } = {},
): OpcuaRig {
  const lab = labSchema.parse({ kind: 'lab', version: 1, name: 'test', instruments: { dev: entry } });
  const findings = checkLab(lab);
  if (findings.length > 0)
    throw new Error(findings.map((f) => `${f.path.join('.')}: ${f.message}`).join('\n'));
  const spec = instrumentSchema.parse(entry);
  const clock = new SystemClock();
  const events = new EventBus(clock);
  const driver = new OpcuaInstrumentDriver({
    id: 'dev',
    spec,
    clock,
    events,
    transports: {
      mqtt: () => {
        throw new Error('no MQTT here');
      },
    },
    files: { dataDir: dir, labPath: (p) => resolve(dir, p) },
    replyTimeoutMs: o.replyTimeoutMs ?? 2000,
  });
  return { driver, events, clock, close: () => driver.close() };
}
