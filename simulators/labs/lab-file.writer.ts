/**
 * Writes the lab file that matches a running simulated lab, so any labloop — or another client — can be pointed at
 * it: every action with its typed parameters and results, every reading, and hard limits taken from the ranges the
 * simulated instruments describe (a real lab would narrow them further).
 */
import { isMap, isScalar, parseDocument, stringify, visit } from 'yaml';
import type { SimModel } from '../common/sim-model.js';

export interface SimulatedInstrument {
  id: string;
  model: SimModel;
  description: string;
  /** A `simulator:` block, for labs whose simulators the daemon starts in-process. */
  simulator?: { model: string; seed: number; options?: Record<string, unknown> };
}

export interface MqttLabOptions {
  name: string;
  description: string;
  /** The broker the instruments are on; undefined: the daemon's own ("default"). */
  brokerUrl?: string;
  topicPrefix?: string;
  instruments: SimulatedInstrument[];
}

/** The lab as a plain object that validates against the lab schema. */
export function mqttLabObject(o: MqttLabOptions): Record<string, unknown> {
  const broker = o.brokerUrl ? 'sim' : 'default';
  const instruments: Record<string, unknown> = {};
  for (const inst of o.instruments) {
    const actions: Record<string, unknown> = {};
    const limits: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(inst.model.actions)) {
      const params: Record<string, unknown> = {};
      for (const [p, spec] of Object.entries(a.params)) {
        params[p] = { type: spec.type, ...(spec.unit ? { unit: spec.unit } : {}) };
        if (
          (spec.type === 'number' || spec.type === 'integer') &&
          spec.min !== undefined &&
          spec.max !== undefined
        )
          limits[`${name}.${p}`] = {
            min: spec.min,
            max: spec.max,
            ...(spec.unit ? { unit: spec.unit } : {}),
          };
      }
      const result: Record<string, unknown> = {};
      for (const [r, spec] of Object.entries(a.result))
        result[r] = { type: spec.type, ...(spec.unit ? { unit: spec.unit } : {}) };
      actions[name] = { params, result };
    }
    const readings: Record<string, unknown> = {};
    for (const [r, spec] of Object.entries(inst.model.readings))
      readings[r] = { type: spec.type, ...(spec.unit ? { unit: spec.unit } : {}) };
    instruments[inst.id] = {
      driver: 'mqtt',
      broker,
      ...(o.topicPrefix ? { topicPrefix: o.topicPrefix } : {}),
      description: inst.description,
      actions,
      readings,
      limits,
      ...(inst.simulator ? { simulator: { options: {}, ...inst.simulator } } : {}),
    };
  }
  return {
    kind: 'lab',
    version: 1,
    name: o.name,
    description: o.description,
    ...(o.brokerUrl
      ? { brokers: { sim: { url: o.brokerUrl, ...(o.topicPrefix ? { topicPrefix: o.topicPrefix } : {}) } } }
      : {}),
    instruments,
  };
}

/** YAML with a header comment; small mappings of plain values (a parameter, a limit) on one line each. */
export function labYaml(header: string[], lab: Record<string, unknown>): string {
  const doc = parseDocument(stringify(lab, { singleQuote: true }));
  visit(doc, {
    Map(_, node) {
      const plain = node.items.every(
        (p) => isScalar(p.value) || (isMap(p.value) && p.value.items.length === 0),
      );
      // Short enough to stay on one line at any depth of a lab file (prettier's width is 110).
      const width = node.items.reduce(
        (n, p) =>
          n +
          String(isScalar(p.key) ? p.key.value : '').length +
          String(isScalar(p.value) ? p.value.value : '{}').length +
          4,
        4,
      );
      if (plain && node.items.length <= 5 && width <= 64) node.flow = true;
    },
  });
  const comments = header.map((l) => `# ${l}`.trimEnd()).join('\n');
  return `${comments}\n${doc.toString({ lineWidth: 120, flowCollectionPadding: true, singleQuote: true })}`;
}
