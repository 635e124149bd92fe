/**
 * What a lab file says about MQTT: the brokers (URL, the daemon's login, TLS material) and the MQTT-specific keys of
 * an instrument entry (its broker, topic prefix and its own login). File paths are relative to the lab file.
 * lab.schema.ts composes these with the keys every instrument has.
 */
import { z } from 'zod';
import { name } from '../../src/protocol/schema-parts.js';

const filePath = (what: string) => z.string().min(1).describe(`${what}, relative to the lab file`);

/** A login: a user name and a password, the password preferably kept in a file of its own. */
export const mqttLoginSchema = z
  .strictObject({
    username: z.string().min(1).optional().describe('MQTT user name'),
    password: z
      .string()
      .optional()
      .describe('Password written here (prefer passwordFile: lab files often live in version control)'),
    passwordFile: filePath('A file whose first line is the password').optional(),
  })
  .refine((l) => !(l.password !== undefined && l.passwordFile !== undefined), {
    message: 'expected password or passwordFile, not both',
  });

export const mqttTlsSchema = z
  .strictObject({
    ca: filePath('PEM file of the certificate authorities that sign the broker certificate').optional(),
    cert: filePath('PEM client certificate, for brokers that require one').optional(),
    key: filePath('PEM private key of the client certificate').optional(),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a broker whose certificate does not verify (turn off only for a test bench)'),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'expected cert and key together',
  })
  .describe('TLS for mqtts:// URLs');

export const mqttBrokerSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^(mqtts?|tcp|ssl|tls):\/\//, 'expected an mqtt:// or mqtts:// URL')
      .describe('mqtt://host:1883 or mqtts://host:8883'),
    username: z.string().min(1).optional().describe("The daemon's MQTT user name on this broker"),
    password: z.string().optional().describe('Password written here (prefer passwordFile)'),
    passwordFile: filePath("A file whose first line is the daemon's password").optional(),
    topicPrefix: z.string().min(1).optional().describe('Topic prefix of the contract on this broker'),
    tls: mqttTlsSchema.optional(),
  })
  .refine((b) => !(b.password !== undefined && b.passwordFile !== undefined), {
    message: 'expected password or passwordFile, not both',
  })
  .describe('An MQTT broker the daemon connects to');

/** The MQTT-specific keys of an instrument entry. */
export const mqttInstrumentFields = {
  driver: z.literal('mqtt'),
  broker: name().default('default').describe('A broker of this lab file; "default" is the daemon\'s own'),
  topicPrefix: z.string().min(1).optional().describe('Topic prefix; default: the broker\'s, else "labloop"'),
  credentials: mqttLoginSchema
    .optional()
    .describe(
      "The instrument's own login: the embedded broker admits it with these, an in-process simulator uses them. " +
        'Without it the embedded broker generates a password for the user named like the instrument ' +
        '(see <dataDir>/mqtt/credentials.json)',
    ),
};

export type MqttBrokerSpec = z.output<typeof mqttBrokerSchema>;
export type MqttLoginSpec = z.output<typeof mqttLoginSchema>;
export type MqttTlsSpec = z.output<typeof mqttTlsSchema>;
