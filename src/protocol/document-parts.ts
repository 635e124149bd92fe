/**
 * The parts of each kind of document that pass the schema when the whole does not (see partial-parse.ts): the
 * semantic checks run on these, so every problem of a file is reported at once.
 */
import { z } from 'zod';
import {
  campaignSchema,
  controlSchema,
  datedBlockSchema,
  objectiveSchema,
  parameterSchema,
  scheduleSchema,
  weeklyWindowSchema,
  type CampaignSpec,
} from './campaign.schema.js';
import { instrumentSchema, interlockSchema, labSchema, type LabSpec } from './lab.schema.js';
import { partialList, partialObject, partialRecord } from './partial-parse.js';
import type { PartialProtocol } from './protocol.checks.js';
import { inputSchema, stepSchema, type protocolFileSchema, type protocolSchema } from './protocol.schema.js';
import { ident } from './schema-parts.js';

function field(raw: unknown, key: string): unknown {
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[key] : undefined;
}

const present = <T>(xs: (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);

/** A lab's valid parts, and the instruments that failed its schema. */
export function labParts(raw: unknown): { spec: LabSpec; broken: Set<string> } {
  const instruments = partialRecord(instrumentSchema, field(raw, 'instruments'));
  const interlocks = partialList(interlockSchema, field(raw, 'interlocks'));
  const partial = partialObject(labSchema, raw, {
    instruments: () => instruments.value,
    interlocks: () => present(interlocks.value),
  }) as Partial<LabSpec>;
  const spec = { brokers: {}, interlocks: [], ...partial, instruments: partial.instruments ?? {} } as LabSpec;
  return { spec, broken: instruments.broken };
}

export function protocolParts(
  raw: unknown,
  schema: typeof protocolSchema | typeof protocolFileSchema,
): PartialProtocol {
  const broken = new Set<string>();
  const p = partialObject(schema, raw, {
    inputs: (v) => {
      const inputs = partialRecord(inputSchema, v, ident());
      inputs.broken.forEach((b) => broken.add(b));
      return inputs.value;
    },
    steps: (v) => {
      const steps = partialList(stepSchema, v, ['id', 'into']);
      steps.broken.forEach((b) => broken.add(b));
      return steps.value;
    },
  }) as PartialProtocol;
  return { ...p, broken };
}

/** A campaign's valid parts (its protocol is read apart), and the parameters that failed the schema. */
export function campaignParts(raw: unknown): { spec: Partial<CampaignSpec>; brokenParameters: Set<string> } {
  const parameters = partialRecord(parameterSchema, field(raw, 'parameters'), ident());
  const objectives = partialRecord(objectiveSchema, field(raw, 'objectives'), ident());
  const spec = partialObject(campaignSchema, raw, {
    parameters: () => (Object.keys(parameters.value).length > 0 ? parameters.value : undefined),
    objectives: () => objectives.value,
    protocol: (v) => (typeof v === 'string' ? v : undefined),
    schedule: scheduleParts,
    controls: (v) => present(partialList(controlSchema, v).value),
  }) as Partial<CampaignSpec>;
  return { spec, brokenParameters: parameters.broken };
}

function scheduleParts(raw: unknown): unknown {
  if (raw === undefined) return undefined;
  const windows = partialList(weeklyWindowSchema, field(raw, 'windows'));
  const maintenance = partialList(z.union([weeklyWindowSchema, datedBlockSchema]), field(raw, 'maintenance'));
  const s = partialObject(scheduleSchema, raw, {
    windows: () => (windows.value.length > 0 ? present(windows.value) : undefined),
    maintenance: () => present(maintenance.value),
  });
  return { maintenance: [], ...s };
}
