/**
 * The OPC UA keys of an instrument entry: the server endpoint and security, namespace aliases, the node of each
 * reading, and how each action maps onto OPC UA operations — write variables, call methods, wait until a monitored
 * variable meets a condition, read results — or onto a LADS program. lab.schema.ts composes these with the keys every
 * instrument has. File paths are relative to the lab file.
 */
import { z } from 'zod';
import { duration, name } from '../../src/protocol/schema-parts.js';

export const nodeRef = () =>
  z
    .string()
    .min(1)
    .describe(
      'A node: a NodeId (ns=2;s=Reactor.T, ns=<alias>;i=1012, nsu=<namespace URI>;s=…) or a browse path from the ' +
        'Objects folder (/DeviceSet/Reactor/Temperature; a segment may be qualified as <alias>:Name)',
    );

/** A value sent to the server: a literal, or text with ${…} expressions over params, command and experiment. */
const valueExpr = () =>
  z
    .union([z.number(), z.string(), z.boolean()])
    .describe(
      'A literal or an expression such as ${params.temperature}; ${command.id}, ${experiment.id} exist too',
    );

export const writeOperationSchema = z.strictObject({
  write: z.strictObject({ node: nodeRef(), value: valueExpr() }).describe('Write a variable'),
});

export const callOperationSchema = z.strictObject({
  call: z
    .strictObject({
      object: nodeRef().describe('The object the method belongs to'),
      method: z
        .string()
        .min(1)
        .describe("The method: a node, or a browse name among the object's components"),
      args: z.array(valueExpr()).default([]).describe('Input arguments, in order'),
      outputs: z
        .array(name().nullable())
        .default([])
        .describe('Result names for the output arguments, in order (null skips one)'),
    })
    .describe('Call a method'),
});

export const waitOperationSchema = z.strictObject({
  wait: z
    .strictObject({
      node: nodeRef().describe('A variable, monitored by subscription'),
      equals: valueExpr().optional().describe('Done when the value equals this'),
      near: valueExpr().optional().describe('Done when the value stays within ±tolerance of this'),
      tolerance: z.number().nonnegative().optional(),
      hold: duration().default(0).describe('How long the condition must hold without a break'),
      timeout: duration().describe('Fail the command if the condition is not met by then'),
    })
    .refine((w) => (w.equals === undefined) !== (w.near === undefined), {
      message: 'expected either equals or near',
    })
    .refine((w) => w.near === undefined || w.tolerance !== undefined, {
      message: 'near needs a tolerance',
    })
    .describe('Wait until a variable meets a condition'),
});

export const readOperationSchema = z.strictObject({
  read: z
    .strictObject({ node: nodeRef(), into: name().describe('The result it becomes') })
    .describe('Read a variable into a result'),
});

export const operationSchema = z.union([
  writeOperationSchema,
  callOperationSchema,
  waitOperationSchema,
  readOperationSchema,
]);

export const opcuaActionSchema = z.strictObject({
  steps: z.array(operationSchema).min(1).describe('Operations run in order'),
  idempotent: z
    .boolean()
    .default(false)
    .describe(
      'Repeating it is harmless (e.g. it only writes setpoints): after a crash it is sent again instead of ' +
        'leaving its experiment interrupted. Actions of reads and waits only are always repeatable.',
    ),
});

const sampleSchema = z.strictObject({
  containerId: z.string().default(''),
  sampleId: z.string().default(''),
  position: z.string().default(''),
  customData: z.string().default(''),
});

export const ladsProgramSchema = z.strictObject({
  template: z.string().min(1).describe('ProgramTemplateId passed to StartProgram'),
  properties: z
    .record(z.string(), valueExpr())
    .default({})
    .describe('Key/value properties passed to StartProgram (sent as text)'),
  samples: z.array(sampleSchema).default([]).describe('Samples passed to StartProgram'),
  results: z
    .record(name(), z.string().min(1))
    .default({})
    .describe("Result name → browse name of a variable in the run's VariableSet; default: the same name"),
  functionalUnit: nodeRef().optional().describe("Another FunctionalUnit than the preset's"),
});

export const ladsSchema = z
  .strictObject({
    functionalUnit: nodeRef().describe('The LADS FunctionalUnit that runs the programs'),
    programs: z.record(name(), ladsProgramSchema).describe('Actions that are LADS programs'),
  })
  .describe(
    'LADS device preset: StartProgram with the experiment id as SupervisoryJobId and the command id as ' +
      'SupervisoryTaskId, follow the run, read its Result',
  );

export const SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const SECURITY_POLICIES = [
  'None',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
  'Basic256',
  'Basic128Rsa15',
] as const;

export const opcuaSecuritySchema = z
  .strictObject({
    mode: z.enum(SECURITY_MODES).default('None'),
    policy: z
      .enum(SECURITY_POLICIES)
      .optional()
      .describe('Default: None with mode None, else Basic256Sha256'),
    trust: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Server certificates (PEM or DER files, relative to the lab file) to trust. Any other server ' +
          'certificate is refused unless it is in <dataDir>/pki/trusted',
      ),
    user: z
      .strictObject({
        username: z.string().min(1),
        password: z.string().optional().describe('Password written here (prefer passwordFile)'),
        passwordFile: z.string().min(1).optional().describe('A file whose first line is the password'),
      })
      .optional()
      .describe('Log in as this user (default: anonymous)'),
  })
  .refine((s) => s.mode !== 'None' || s.policy === undefined || s.policy === 'None', {
    message: 'mode None takes no security policy',
  })
  .refine((s) => s.mode === 'None' || s.policy !== 'None', {
    message: `mode Sign or SignAndEncrypt needs a policy other than None`,
  });

/** The OPC UA-specific keys of an instrument entry. */
export const opcuaInstrumentFields = {
  driver: z.literal('opcua'),
  endpoint: z
    .string()
    .regex(/^opc\.tcp:\/\/[^/]+/, 'expected an opc.tcp://host:port URL')
    .describe('The OPC UA server, e.g. opc.tcp://10.0.0.5:4840'),
  security: opcuaSecuritySchema.prefault({}),
  namespaces: z
    .record(name(), z.string().min(1))
    .default({})
    .describe('Aliases for namespace URIs, usable as ns=<alias> in node ids'),
  readingNodes: z
    .record(name(), nodeRef())
    .default({})
    .describe('The node of each reading, followed by subscription'),
  operations: z
    .record(name(), opcuaActionSchema)
    .default({})
    .describe('How each action maps onto OPC UA operations'),
  abort: z
    .array(operationSchema)
    .default([])
    .describe('Operations that stop the instrument at once (abort, estop); LADS: the FunctionalUnit Abort'),
  lads: ladsSchema.optional(),
  subscription: z
    .strictObject({
      publishingInterval: duration().default('100 ms'),
      samplingInterval: duration().default('100 ms'),
    })
    .prefault({})
    .describe('How often the server samples monitored variables and sends changes'),
};

export type OpcuaOperation = z.output<typeof operationSchema>;
export type OpcuaActionSpec = z.output<typeof opcuaActionSchema>;
export type LadsSpec = z.output<typeof ladsSchema>;
export type LadsProgramSpec = z.output<typeof ladsProgramSchema>;
export type OpcuaSecuritySpec = z.output<typeof opcuaSecuritySchema>;
