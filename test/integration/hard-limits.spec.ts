/**
 * Hard limits hold at one choke point, whoever produces the value. Random values — NaN, ±Infinity, -0, huge numbers,
 * numbers a hair outside the limits, strings, numbers with units attached, objects, arrays — are driven through
 * every path a value takes to an instrument: strategy suggestions through the executor, protocol expressions, the
 * manual HTTP API and the CLI. A spy on the driver checks every command that reaches it: zero violations.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { jest } from '@jest/globals';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { doCommand } from '../../src/cli/instrument.commands.js';
import { ExperimentExecutor } from '../../src/execution/experiment-executor.service.js';
import type { CommandRequest } from '../../src/lab/instrument-driver.port.js';
import { InstrumentRegistry } from '../../src/lab/instrument-registry.service.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { compileProtocol } from '../../src/protocol/protocol.compiler.js';
import type { ProtocolSpec } from '../../src/protocol/protocol.schema.js';
import type { Scalar } from '../../src/protocol/value-template.js';
import { Journal } from '../../src/store/journal.service.js';
import { Writable } from 'node:stream';
import { createToken } from '../helpers/api-token.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

/** The fast lab's limits (test/fixtures/fast-lab.yaml). */
const LIMITS: Record<string, [number, number]> = { temperature: [20, 70], ph: [4, 10], substrate: [0, 50] };

/** Anything a buggy strategy, a protocol author or an operator could produce. */
const nasty = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e308, -1e308, Number.MIN_VALUE, 1e-320),
  fc.constantFrom(19.999999999999996, 70.00000000000001, 50.000001, -1e-12, 10.0000001, 3.9999999),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('37', '37 degC', '310 K', '1e999', 'NaN', 'Infinity', '', ' 40'),
  fc.boolean(),
  fc.constant(null),
  fc.record({ value: fc.double(), unit: fc.constantFrom('degC', 'K', 'degF') }),
  fc.array(fc.double({ min: 20, max: 70 }), { maxLength: 2 }),
);

/** Mostly valid values for `name`, each field nasty a third of the time, so commands do reach the spy too. */
function field<T>(name: keyof typeof LIMITS, bad: fc.Arbitrary<T>, show: (x: number) => T): fc.Arbitrary<T> {
  const [min, max] = LIMITS[name]!;
  return fc.oneof(
    { arbitrary: fc.double({ min, max, noNaN: true }).map(show), weight: 2 },
    { arbitrary: bad, weight: 1 },
  );
}

/** JSON text as an HTTP client could send it (1e999 parses to Infinity, -0 to -0). */
const nastyJson = fc.oneof(
  fc.constantFrom(
    '1e999',
    '-1e999',
    '-0',
    '70.00000000000001',
    '"40"',
    'null',
    'true',
    '[40]',
    '{"value":40,"unit":"K"}',
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
);

/** Text an operator could type after `key=`. */
const nastyText = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('1e999', '-0', 'NaN', '-Infinity', '0x20', '40degC', '4e1', '70.0000000001', '1_0'),
);

describe('hard limits at one choke point (property, every path)', () => {
  const dir = tempDir();
  let t: TestApp;
  const reached: CommandRequest[] = [];
  let token = '';

  beforeAll(async () => {
    t = await startTestApp({
      mode: 'daemon',
      dataDir: dir.path,
      env: {
        LABLOOP_INSTRUMENTS__LABS: 'test/fixtures/fast-lab.yaml',
        // Hundreds of manual calls in seconds: far past the default 60 a minute.
        LABLOOP_AUTH__RATELIMIT__WRITES: '100000',
      },
    });
    const reader = t.app.get(InstrumentRegistry).get('reader')!;
    await waitFor('reader described', () => reader.driver.describe());
    const original = reader.driver.execute.bind(reader.driver);
    token = createToken(t.app, 'operator');
    process.env['LABLOOP_TOKEN'] = token; // the CLI path reads it
    jest.spyOn(reader.driver, 'execute').mockImplementation((req, options) => {
      reached.push(req);
      return original(req, options);
    });
  });
  afterAll(async () => {
    delete process.env['LABLOOP_TOKEN'];
    await t.close();
    dir.cleanup();
  });

  /** Every command that reached the driver, checked; returns how many were checked. */
  function violations(): string[] {
    const bad: string[] = [];
    for (const r of reached) {
      for (const [name, [min, max]] of Object.entries(LIMITS)) {
        const v = r.params[name];
        const ok = typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0) && v >= min && v <= max;
        if (!ok) bad.push(`${r.id}: ${name}=${String(v)}`);
      }
      if (Object.keys(r.params).length !== 3) bad.push(`${r.id}: params ${Object.keys(r.params).join(',')}`);
    }
    return bad;
  }

  it('strategy suggestions and protocol expressions through the executor', async () => {
    const doc = loadCampaignFile('test/fixtures/fast-campaign.yaml');
    const lab = doc.lab.spec;
    const campaign = t.app.get(CampaignService).create(doc);
    const journal = t.app.get(Journal);
    const executor = t.app.get(ExperimentExecutor);
    let seq = 0;
    const before = reached.length;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          temperature: field('temperature', nasty, (x) => x),
          ph: field('ph', nasty, (x) => x),
          substrate: field('substrate', nasty, (x) => x),
        }),
        fc.oneof(
          { arbitrary: fc.constant('${inputs.ph}'), weight: 3 },
          { arbitrary: fc.constant('${inputs.ph} units'), weight: 1 },
          { arbitrary: nasty, weight: 1 },
        ),
        async (suggestion, phInProtocol) => {
          const params = suggestion as unknown as Record<string, number | string>;
          const e = journal.write((tx) => tx.createExperiment(campaign.id, ++seq, randomUUID(), params));
          const protocol: ProtocolSpec = {
            inputs: {},
            steps: [
              {
                id: 'read',
                instrument: 'reader',
                action: 'measure',
                params: {
                  temperature: '${inputs.temperature}',
                  ph: phInProtocol as Scalar,
                  substrate: '${inputs.substrate}',
                },
                timeout: '10 s',
              },
            ],
            outputs: { rate: '${steps.read.result.rate}' },
          };
          const control = { drain: new AbortController().signal, abort: new AbortController().signal };
          let plan;
          try {
            plan = compileProtocol(protocol, lab);
          } catch {
            return; // a value the compiler cannot read goes nowhere near a driver
          }
          await executor.execute(e, plan, params, control);
        },
      ),
      { numRuns: 150 },
    );
    expect(violations()).toEqual([]);
    expect(reached.length - before).toBeGreaterThan(0);
  });

  it('the manual HTTP API', async () => {
    const before = reached.length;
    await fc.assert(
      fc.asyncProperty(
        field('temperature', nastyJson, (x) => JSON.stringify(x)),
        field('ph', nastyJson, (x) => JSON.stringify(x)),
        field('substrate', nastyJson, (x) => JSON.stringify(x)),
        async (temperature, ph, substrate) => {
          await fetch(`${t.url}/api/instruments/reader/actions/measure`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: `{"params":{"temperature":${temperature},"ph":${ph},"substrate":${substrate}},"timeout":"10 s"}`,
          });
        },
      ),
      { numRuns: 150 },
    );
    expect(violations()).toEqual([]);
    expect(reached.length - before).toBeGreaterThan(0);
  });

  it('the CLI (labloop do)', async () => {
    const before = reached.length;
    const quiet = new Writable({ write: (_c, _e, done) => done() });
    await fc.assert(
      fc.asyncProperty(
        field('temperature', nastyText, String),
        field('ph', nastyText, String),
        field('substrate', nastyText, String),
        async (temperature, ph, substrate) => {
          await doCommand(
            'reader',
            'measure',
            [`temperature=${temperature}`, `ph=${ph}`, `substrate=${substrate}`],
            { url: t.url },
            quiet,
          ).catch(() => undefined);
        },
      ),
      { numRuns: 150 },
    );
    expect(violations()).toEqual([]);
    expect(reached.length - before).toBeGreaterThan(0);
  });
});
