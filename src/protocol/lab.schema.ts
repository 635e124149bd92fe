/**
 * A lab file (`config/labs/*.yaml`, `kind: lab`): the brokers, the instruments with their driver, actions, readings
 * and hard limits, and the interlocks over readings. Limits live here and nowhere else; every numeric action
 * parameter must have one.
 */
import { z } from 'zod';
import { mqttBrokerSchema, mqttInstrumentFields } from '../../drivers/mqtt/mqtt.lab-schema.js';
import { opcuaInstrumentFields } from '../../drivers/opcua/opcua.lab-schema.js';
import { condition, header, integer, name, unit, valueType, duration } from './schema-parts.js';

export const paramSpecSchema = z
  .strictObject({
    type: valueType(),
    unit: unit().optional(),
    enum: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional()
      .describe('The only values allowed'),
    description: z.string().optional(),
  })
  .describe('A typed action parameter');

export const resultSpecSchema = z.strictObject({
  type: valueType(),
  unit: unit().optional(),
  description: z.string().optional(),
});

export const actionSchema = z.strictObject({
  description: z.string().optional(),
  params: z.record(name(), paramSpecSchema).default({}),
  result: z.record(name(), resultSpecSchema).default({}),
  duration: duration().optional().describe('Typical duration, used by plans and estimates'),
});

export const limitSchema = z
  .strictObject({
    min: z.number().describe('Lowest value ever sent'),
    max: z.number().describe('Highest value ever sent'),
    unit: unit().optional(),
  })
  .refine((l) => l.min <= l.max, { message: 'expected min <= max' })
  .describe('A hard limit: no value outside [min, max] ever reaches the instrument');

export const simulatorSchema = z
  .strictObject({
    model: name().describe('Simulator model, e.g. enzyme-reader'),
    seed: integer().default(1),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .describe('Run a simulated instrument in the daemon when simulators.inProcess is on');

/** The keys every instrument entry has, whatever its driver; each driver adds its own (drivers/<name>/*.lab-schema.ts). */
export const instrumentCommon = {
  description: z.string().optional(),
  actions: z.record(name(), actionSchema),
  readings: z.record(name(), resultSpecSchema).default({}),
  limits: z
    .record(z.string(), limitSchema)
    .default({})
    .describe('Hard limits by parameter name (every action) or action.parameter'),
  capacity: integer().min(1).default(1).describe('Commands the instrument serves at once'),
  simulator: simulatorSchema.optional(),
};

export const instrumentSchema = z.discriminatedUnion('driver', [
  z.strictObject({ ...mqttInstrumentFields, ...instrumentCommon }),
  z.strictObject({ ...opcuaInstrumentFields, ...instrumentCommon }),
]);

export const interlockSchema = z
  .strictObject({
    name: name()
      .optional()
      .describe(
        'Unique within the lab; used by `labloop interlock reset <name>` (default: interlock-<position>)',
      ),
    when: condition().describe(
      'A condition on readings, optionally held for a time: reactor.pressure > 8 bar for 2 s. A reading made invalid by a lost link counts as tripped',
    ),
    then: z
      .enum(['hold', 'abort'])
      .describe('hold: stop new commands and hold the campaigns · abort: also abort running commands'),
    description: z.string().optional(),
  })
  .describe('An interlock');

export const brokerSchema = mqttBrokerSchema;

export const labSchema = z.strictObject({
  ...header('lab'),
  brokers: z
    .record(name(), brokerSchema)
    .default({})
    .describe('MQTT brokers; "default" is the daemon\'s own'),
  instruments: z.record(name(), instrumentSchema),
  interlocks: z.array(interlockSchema).default([]).describe('Conditions on readings that stop the lab'),
});

export type LabSpec = z.output<typeof labSchema>;
export type InstrumentSpec = z.output<typeof instrumentSchema>;
export type ActionSpec = z.output<typeof actionSchema>;
export type ParamSpec = z.output<typeof paramSpecSchema>;
export type LimitSpec = z.output<typeof limitSchema>;
export type InterlockSpec = z.output<typeof interlockSchema>;
