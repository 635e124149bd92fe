/**
 * Property: whatever a lab engineer (or a fuzzer) writes, validation ends, never throws, and locates every problem —
 * each has a file, a line and a column. 10,000+ documents: the corpus and shipped files mutated as data (keys
 * dropped, renamed, values replaced by anything, expressions garbled) and as text (characters cut, inserted, lines
 * shuffled), and protocols generated from scratch with every kind of step.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { stringify, parse } from 'yaml';
import type { Problem } from '../common/lab-error.js';
import { validateText, type DocumentReader } from './document.loader.js';

const files = {
  lab: 'test/documents/labs/bench.yaml',
  full: 'test/documents/valid/full-campaign.yaml',
  flow: 'test/documents/valid/flow-campaign.yaml',
  flowProtocol: 'test/documents/valid/flow-protocol.yaml',
  constrained: 'test/documents/valid/constrained-limit.yaml',
  space: 'test/documents/valid/space.yaml',
  demo: 'protocols/demo.yaml',
  demoLab: 'config/labs/demo.yaml',
  assay: 'protocols/enzyme-assay.yaml',
};
const texts = Object.fromEntries(
  Object.entries(files).map(([k, f]) => [k, readFileSync(f, 'utf8')]),
) as Record<keyof typeof files, string>;
const SEEDS = Object.values(files);
const HERE = resolve('test/documents/valid/fuzzed.yaml');

/** Only the corpus' own files exist, from memory: nothing is read from disk while fuzzing. */
const reader: DocumentReader = (path) => {
  for (const [k, f] of Object.entries(files)) if (resolve(f) === path) return texts[k as keyof typeof files];
  return undefined;
};

function check(text: string): void {
  const problems: Problem[] = validateText(HERE, text, { reader, lab: files.lab });
  for (const p of problems) {
    if (!p.file || !(Number(p.line) >= 1) || !(Number(p.col) >= 1))
      throw new Error(`a problem without a place: ${JSON.stringify(p)} in\n${text}`);
  }
}

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '5 min',
    '50 uL',
    '${inputs.volume * 2}',
    '${steps.x.result.y}',
    '${',
    '${)(}',
    'reader.temperature > 8 bar',
    'maximize',
    '-1 s',
    '1e400',
    'A1',
  ),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 }),
);

type Json = unknown;

/** Every path to a value in a parsed document. */
function paths(
  v: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function mutate(doc: Json, path: (string | number)[], how: number, value: unknown, key: string): Json {
  if (path.length === 0) return how === 0 ? value : doc;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (how === 0) parent[last] = value;
  else if (how === 1) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (how === 2 && !Array.isArray(parent)) {
    const v = parent[last];
    delete parent[last];
    parent[`${String(last).slice(0, -1)}${key}`] = v;
  } else if (how === 3 && Array.isArray(parent)) parent.push(structuredClone(parent[Number(last)]));
  else parent[key || 'extra'] = value;
  return copy;
}

const dataMutation = fc
  .record({
    seed: fc.constantFrom(...SEEDS),
    pick: fc.nat(),
    how: fc.nat({ max: 4 }),
    value: anyValue,
    key: fc.string({ maxLength: 3 }),
    rounds: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ seed, pick, how, value, key, rounds }) => {
    let doc: Json = parse(
      texts[Object.entries(files).find(([, f]) => f === seed)?.[0] as keyof typeof files],
    );
    for (let r = 0; r < rounds; r++) {
      const all = paths(doc);
      doc = mutate(doc, all[(pick + r * 7919) % all.length] ?? [], (how + r) % 5, value, key);
    }
    return stringify(doc);
  });

const textMutation = fc
  .record({
    seed: fc.constantFrom(...Object.keys(files)),
    at: fc.nat(),
    cut: fc.nat({ max: 40 }),
    insert: fc.string({ maxLength: 12, unit: fc.constantFrom(...' \n:-[]{}$#&*!|>\'"%@`abc12'.split('')) }),
    swap: fc.boolean(),
  })
  .map(({ seed, at, cut, insert, swap }) => {
    const text = texts[seed as keyof typeof files];
    const i = at % (text.length + 1);
    let out = text.slice(0, i) + insert + text.slice(i + cut);
    if (swap) {
      const lines = out.split('\n');
      const j = at % Math.max(1, lines.length - 1);
      [lines[j], lines[j + 1]] = [lines[j + 1] ?? '', lines[j] ?? ''];
      out = lines.join('\n');
    }
    return out;
  });

const expression = fc.oneof(
  fc.constantFrom(
    'inputs.volume',
    'inputs.temperature',
    'well',
    'steps.a.result.dispensed',
    'measurements.m',
    'reader.temperature',
    '2 min',
    '5 uL',
    'mean(steps.b.result.od)',
  ),
  fc.string({ maxLength: 10, unit: fc.constantFrom(...'ab1.()+-*/ <>=_$'.split('')) }),
);
const value = fc.oneof(
  fc.integer({ min: -500, max: 500 }),
  expression.map((e) => `\${${e}}`),
  fc.constantFrom('A1', '50 uL', '10 mL'),
);
const leaf = fc.oneof(
  fc.record({
    id: fc.constantFrom('a', 'b', 'c', undefined),
    instrument: fc.constantFrom('handler', 'reader', 'reactor', 'readr'),
    action: fc.constantFrom('dispense', 'measure', 'heat', 'run', 'mix'),
    params: fc.dictionary(
      fc.constantFrom('volume', 'well', 'temperature', 'wavelength', 'cycles', 'speed', 'flow'),
      value,
      { maxKeys: 3 },
    ),
    onFailure: fc.constantFrom(undefined, 'skip', 'hold', { retry: 2, backoff: '1 s' }),
  }),
  fc.record({
    wait: fc.oneof(
      fc.constantFrom('5 min', 3),
      expression.map((e) => `\${${e}}`),
      expression.map((e) => ({ until: e })),
    ),
  }),
  fc.record({
    read: fc.constantFrom('reader.temperature', 'steps.a.result.od', 'x.y'),
    into: fc.constantFrom('m', 'n'),
  }),
  fc.record({ manual: value.map(String), timeout: fc.constantFrom(undefined, '1 h', 'never') }),
);
const { step } = fc.letrec<{ step: unknown; steps: unknown[] }>((tie) => ({
  step: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ parallel: tie('steps') }),
    fc.record({ steps: tie('steps') }),
    fc.record({
      repeat: fc.oneof(
        fc.record({
          for: fc.constantFrom('well', 'inputs'),
          in: fc.constantFrom(['A1', 'A2'], [], '${inputs.wells}'),
        }),
        fc.record({ times: fc.integer({ min: -1, max: 4 }) }),
      ),
      steps: tie('steps'),
    }),
    fc.record({ if: expression, then: tie('steps'), else: fc.option(tie('steps'), { nil: undefined }) }),
  ),
  steps: fc.array(tie('step'), { minLength: 0, maxLength: 3 }),
}));
const generated = fc
  .record({
    steps: fc.array(step, { minLength: 1, maxLength: 4 }),
    inputs: fc.dictionary(
      fc.constantFrom('volume', 'temperature', 'wells'),
      fc.record({
        type: fc.constantFrom('number', 'list', 'string'),
        unit: fc.constantFrom(undefined, 'uL', 'degC', 's'),
      }),
      { maxKeys: 3 },
    ),
    parameters: fc.dictionary(
      fc.constantFrom('volume', 'temperature', 'x'),
      fc.record({
        type: fc.constantFrom('float', 'int'),
        min: fc.integer({ min: -10, max: 100 }),
        max: fc.integer({ min: -10, max: 300 }),
        unit: fc.constantFrom(undefined, 'uL', 'mL', 'degC'),
      }),
      { maxKeys: 3 },
    ),
    constraints: fc.array(
      expression.map((e) => `${e} <= 100`),
      { maxLength: 2 },
    ),
  })
  .map(({ steps, inputs, parameters, constraints }) =>
    stringify(
      {
        kind: 'campaign',
        version: 1,
        name: 'generated',
        lab: '../labs/bench.yaml',
        protocol: { inputs, steps, outputs: { out: '${steps.a.result.dispensed}' } },
        parameters,
        constraints,
        objectives: { out: { goal: 'maximize' } },
        budget: { experiments: 3 },
      },
      { aliasDuplicateObjects: false },
    ),
  );

describe('validation of any document (property)', () => {
  const runs = { data: 4000, text: 3000, generated: 3000 };

  it(`ends, never throws, and locates every problem: ${runs.data} data mutations of the corpus`, () => {
    fc.assert(fc.property(dataMutation, check), { numRuns: runs.data });
  });

  it(`… ${runs.text} text mutations`, () => {
    fc.assert(fc.property(textMutation, check), { numRuns: runs.text });
  });

  it(`… ${runs.generated} generated campaigns with every kind of step`, () => {
    fc.assert(fc.property(generated, check), { numRuns: runs.generated });
  });
});
