/**
 * Every driver labloop has, by the `driver:` name lab files use. A test fails if a folder under drivers/ is missing
 * from this list. The OPC UA driver is loaded on first use (node-opcua takes a second to import).
 */
import type { DriverFactory } from '../src/lab/instrument-driver.port.js';
import { DeferredDriver } from '../src/lab/deferred-driver.js';
import type { InstrumentSpec } from '../src/protocol/lab.schema.js';
import { MqttInstrumentDriver } from './mqtt/mqtt-instrument.driver.js';

export const DRIVERS: Readonly<Record<InstrumentSpec['driver'], DriverFactory>> = {
  mqtt: (ctx) => new MqttInstrumentDriver(ctx, ctx.replyTimeoutMs),
  opcua: (ctx) =>
    new DeferredDriver(ctx, async () => {
      const { OpcuaInstrumentDriver } = await import('./opcua/opcua-instrument.driver.js');
      return (c) => new OpcuaInstrumentDriver(c);
    }),
};
