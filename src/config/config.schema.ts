/**
 * The daemon's settings: one schema, validated once at boot, then read-only. Every key has a description and a
 * default; `sensitive` keys are never logged. Paths are resolved by the loader (see config.loader.ts).
 */
import { z } from 'zod';

const port = (fallback: number, what: string) =>
  z
    .int({ error: 'expected an integer' })
    .min(0)
    .max(65535)
    .default(fallback)
    .describe(`${what} (0 takes a free port)`);

const logLevels = ['debug', 'info', 'warn', 'error'] as const;

/** What the alert hooks can be told about. */
export const ALERT_KINDS = [
  'campaign.held',
  'campaign.completed',
  'instrument.offline',
  'experiments.failed',
  'interlock.tripped',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const configSchema = z
  .strictObject({
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .describe('Folder for the SQLite file labloop.sqlite, certificates and run data'),
    http: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP API binds to'),
        port: port(8470, 'HTTP API port'),
      })
      .prefault({})
      .describe('REST API, health and dashboard'),
    mqtt: z
      .strictObject({
        url: z
          .string()
          .regex(/^mqtts?:\/\/|^tcp:\/\//, 'mqtt://host:port')
          .optional()
          .describe('External broker URL (mqtt://, mqtts://); unset starts the embedded broker'),
        username: z.string().optional().describe('User name for the external broker'),
        password: z
          .string()
          .optional()
          .meta({ sensitive: true })
          .describe('Password for the external broker'),
        tls: z
          .strictObject({
            ca: z.string().min(1).optional().describe('PEM file of the CAs that sign the external broker'),
            cert: z.string().min(1).optional().describe('PEM client certificate for the external broker'),
            key: z.string().min(1).optional().describe('PEM private key of the client certificate'),
            rejectUnauthorized: z
              .boolean()
              .default(true)
              .describe('Refuse a broker whose certificate does not verify'),
          })
          .optional()
          .describe('TLS material for an mqtts:// external broker'),
        embedded: z
          .strictObject({
            host: z.string().min(1).default('127.0.0.1').describe('Address the embedded broker binds to'),
            port: port(1883, 'Embedded broker port'),
            authenticate: z
              .boolean()
              .default(true)
              .describe(
                'Require a login and enforce topic rights: only the daemon publishes commands, an instrument ' +
                  'publishes only under its own id (logins in <dataDir>/mqtt/credentials.json)',
              ),
          })
          .prefault({})
          .describe('The in-process aedes broker, used when mqtt.url is unset'),
        topicPrefix: z.string().min(1).default('labloop').describe('Topic prefix of the instrument contract'),
      })
      .prefault({}),
    instruments: z
      .strictObject({
        replyTimeout: z
          .string()
          .default('10 s')
          .describe('How long to wait for an instrument to acknowledge a command'),
        dispatchWindow: z
          .string()
          .default('60 s')
          .describe('A command is valid for this long after it is first sent (its deadline)'),
        labs: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'Lab files whose instruments are connected at boot, for manual control without a campaign ' +
              '(a campaign connects its own lab when it starts)',
          ),
      })
      .prefault({}),
    simulators: z
      .strictObject({
        inProcess: z
          .boolean()
          .default(true)
          .describe(
            'Start the simulators that lab files declare (instrument `simulator:` blocks) in this process',
          ),
        faults: z
          .string()
          .min(1)
          .optional()
          .describe(
            'A fault script (kind: faults) for the in-process simulators: regression fixtures, chaos tests',
          ),
      })
      .prefault({}),
    startup: z
      .strictObject({
        campaigns: z
          .array(z.string().min(1))
          .default([])
          .describe('Campaign files created and started when the database holds no campaign yet'),
      })
      .prefault({}),
    shutdown: z
      .strictObject({
        drainTimeout: z
          .string()
          .default('30 s')
          .describe(
            'On SIGTERM, how long running commands may take to finish before the daemon exits anyway',
          ),
      })
      .prefault({}),
    clock: z
      .strictObject({
        mode: z
          .enum(['real', 'scaled', 'virtual'])
          .optional()
          .describe(
            'real: wall time; scaled: timeScale times faster than wall time from the anchor (a simulator in ' +
              'another process must run the same scale and anchor); virtual: discrete-event, lab time jumps to ' +
              'the next timer whenever the process is idle (broker and simulators in this process). ' +
              'Default: scaled when timeScale is not 1, else real',
          ),
        timeScale: z
          .number()
          .positive()
          .default(1)
          .describe('Lab time runs this many times faster than wall time'),
        anchor: z.iso
          .datetime({ offset: true })
          .optional()
          .describe(
            'scaled: the wall-clock instant at which lab time equals wall time, the same in every process of ' +
              'the lab; virtual: the lab time at start. Default: when the process starts',
          ),
        settleMs: z
          .number()
          .nonnegative()
          .default(0.2)
          .describe('virtual: real milliseconds the process must stay idle before lab time jumps'),
      })
      .refine((c) => c.mode === undefined || c.mode === 'scaled' || c.timeScale === 1, {
        message: 'timeScale applies to mode scaled only',
        path: ['timeScale'],
      })
      .prefault({}),
    auth: z
      .strictObject({
        read: z
          .enum(['loopback', 'token'])
          .default('loopback')
          .describe(
            'Reads (GET, events, /metrics, /api/docs): open to loopback clients, or only with a token. State-changing calls always need a token',
          ),
        rateLimit: z
          .strictObject({
            writes: z
              .int()
              .min(1)
              .default(60)
              .describe('State-changing requests per minute per client address'),
            reads: z.int().min(1).default(1200).describe('Read requests per minute per client address'),
          })
          .prefault({}),
      })
      .prefault({})
      .describe('API tokens (labloop token create) and who may read'),
    alerts: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Send alerts to the hooks below'),
        webhooks: z
          .array(
            z.strictObject({
              url: z.url({ error: 'expected an http(s) URL' }).describe('Receives a POST with a JSON body'),
              events: z
                .array(z.enum(ALERT_KINDS))
                .optional()
                .describe('Alerts sent to this hook (default: all)'),
              headers: z
                .record(z.string(), z.string())
                .default({})
                .meta({ sensitive: true })
                .describe('Extra request headers, e.g. an Authorization for the receiver'),
            }),
          )
          .default([])
          .describe('Webhook receivers (chat, pager, ticketing)'),
        attempts: z.int().min(1).max(20).default(5).describe('Tries per alert and hook before giving up'),
        backoff: z.string().default('2 s').describe('Wait before the first retry; doubles after each'),
        maxBackoff: z.string().default('5 min').describe('Longest wait between two tries'),
        timeout: z.string().default('10 s').describe('How long one delivery may take'),
        failedBurst: z
          .strictObject({
            count: z.int().min(1).default(3).describe('Failed experiments …'),
            window: z.string().default('10 min').describe('… within this long raise one alert'),
          })
          .prefault({}),
      })
      .prefault({})
      .describe('Notification hooks for when the lab needs a human'),
    log: z
      .strictObject({
        level: z.enum(logLevels).default('info').describe('Least severe level written'),
        format: z.enum(['text', 'json']).default('text').describe('Human lines or one JSON object per line'),
      })
      .prefault({}),
  })
  .describe('labloop daemon settings');

export type AppConfig = z.output<typeof configSchema> & {
  /** The configuration file that was read, as shown in messages. */
  readonly configFile: string;
};

/** Settings whose value is a filesystem path, resolved against the file that set them. */
export const PATH_SETTINGS: readonly string[] = [
  'dataDir',
  'startup.campaigns',
  'instruments.labs',
  'mqtt.tls.ca',
  'mqtt.tls.cert',
  'mqtt.tls.key',
  'simulators.faults',
];

/** Nest injection token for the validated AppConfig. */
export const APP_CONFIG = Symbol('labloop.config');
