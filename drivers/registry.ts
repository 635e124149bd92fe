/**
 * Every driver labloop has, by the `driver:` name lab files use. A test fails if a folder under drivers/ is missing
 * from this list.
 */
import type { DriverFactory } from '../src/lab/instrument-driver.port.js';
import type { InstrumentSpec } from '../src/protocol/lab.schema.js';
import { MqttInstrumentDriver } from './mqtt/mqtt-instrument.driver.js';
import { OpcuaInstrumentDriver } from './opcua/opcua-instrument.driver.js';

export const DRIVERS: Readonly<Record<InstrumentSpec['driver'], DriverFactory>> = {
  mqtt: (ctx) => new MqttInstrumentDriver(ctx, ctx.replyTimeoutMs),
  opcua: (ctx) => new OpcuaInstrumentDriver(ctx),
};
