/**
 * External strategies over real HTTP: the Python standard-library example service (needs the system python3), and a
 * misbehaving Node server for timeouts, retries and bad answers. Failures must surface as STRATEGY_FAILED, never as
 * a crash.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { SystemClock } from '../../src/common/clock.js';
import { LabError } from '../../src/common/lab-error.js';
import { compileConstraint } from '../../src/optimizers/constraints.js';
import type { Observation, SearchSpace, Strategy, StrategyInit } from '../../src/optimizers/strategy.port.js';
import { StrategyRegistry } from '../../src/optimizers/strategy-registry.service.js';
import { lineProcess, type LineProcess } from '../helpers/line-process.js';

const space: SearchSpace = {
  x: { type: 'float', min: 0, max: 10 },
  n: { type: 'int', min: 1, max: 5 },
  c: { type: 'categorical', choices: ['A', 'B'] },
};
const constraint = (expr: string) => {
  const r = compileConstraint(expr, Object.keys(space));
  if (!r.ok) throw new Error(r.message);
  return r.constraint;
};
const init = (seed = 1): StrategyInit => ({
  space,
  objectives: { y: { goal: 'maximize' } },
  constraints: [constraint('x + n <= 12'), constraint('x * n <= 30 or c == "A"')],
  seed,
  options: {},
});

const registry = new StrategyRegistry(new SystemClock());
const external = (
  url: string,
  extra: { timeout?: string; retries?: number } = {},
  seed = 1,
): Promise<Strategy> =>
  registry.create({ external: { url, ...extra } }, init(seed), { baseDir: process.cwd() });

async function failure(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LabError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

function requirePython(): void {
  const r = spawnSync('python3', ['--version']);
  if (r.error || r.status !== 0)
    throw new Error(
      'python3 is needed for the external-strategy example test: install it (apt-get install -y python3)',
    );
}

describe('the Python example strategy service', () => {
  let service: LineProcess;
  let url: string;

  beforeAll(async () => {
    requirePython();
    service = lineProcess('python3', [resolve('examples/external-strategy/server.py'), '--port', '0']);
    const first = await service.next(15_000);
    url = /listening on (http:\/\/\S+)/.exec(first)![1]!;
  });

  afterAll(async () => {
    service.child.kill('SIGTERM');
    await service.exited;
  });

  it('drives a search through labloop: valid suggestions that meet every constraint, and it improves', async () => {
    const s = await external(url);
    const history: Observation[] = [];
    for (let round = 0; round < 8; round++) {
      const batch = await s.ask(2, []);
      expect(batch).toHaveLength(2);
      for (const b of batch) {
        const { x, n, c } = b.params as { x: number; n: number; c: string };
        expect(x + n).toBeLessThanOrEqual(12);
        expect(x * n <= 30 || c === 'A').toBe(true);
        expect(Number.isInteger(n)).toBe(true);
        const o: Observation =
          round === 3
            ? { suggestionId: b.id, params: b.params, failed: { reason: 'clogged' } }
            : { suggestionId: b.id, params: b.params, values: { y: { mean: -((x - 7) ** 2) + n } } };
        history.push(o);
      }
      await s.tell(history.slice(-2));
    }
    const best = Math.max(...history.map((h) => h.values?.['y']?.mean ?? -Infinity));
    expect(best).toBeGreaterThan(-2);
  });

  it('is stateless: a rebuilt strategy with the same history gets the same suggestions', async () => {
    const a = await external(url, {}, 5);
    const first = await a.ask(3, []);
    const observations = first.map((f, i) => ({
      suggestionId: f.id,
      params: f.params,
      values: { y: { mean: i } },
    }));
    await a.tell(observations);
    const b = await external(url, {}, 5);
    await b.tell(observations);
    expect(await b.ask(2, [])).toEqual(await a.ask(2, []));
  });
});

describe('a misbehaving strategy service', () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => (requests = 0));

  const answer = (status: number, body: string) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  };

  it('retries a 5xx answer, then reports STRATEGY_FAILED with the status and the body', async () => {
    handler = answer(503, '{"error":"warming up"}');
    const e = await failure((await external(url, { retries: 2 })).ask(1, []));
    expect(e.code).toBe('STRATEGY_FAILED');
    expect(e.message).toMatch(/HTTP 503.*warming up.*after 3 attempts/);
    expect(requests).toBe(3);
  });

  it('does not retry a 4xx answer', async () => {
    handler = answer(422, 'bad space');
    const e = await failure((await external(url, { retries: 3 })).ask(1, []));
    expect(e.message).toMatch(/HTTP 422: bad space/);
    expect(requests).toBe(1);
  });

  it('gives up on a service that does not answer within the timeout', async () => {
    handler = () => undefined; // never answers
    const e = await failure((await external(url, { timeout: '200 ms', retries: 0 })).ask(1, []));
    expect(e.message).toMatch(/no answer within 0.2 s/);
  });

  it('refuses an answer of the wrong shape and suggestions outside the space or the constraints', async () => {
    handler = answer(200, '{"points":[]}');
    expect((await failure((await external(url)).ask(1, []))).message).toMatch(/expected \{"suggestions"/);
    handler = answer(200, '{"suggestions":[{"params":{"x":11,"n":1,"c":"A"}}]}');
    expect((await failure((await external(url)).ask(1, []))).message).toMatch(/x: 11 is outside 0\.\.10/);
    handler = answer(200, '{"suggestions":[{"params":{"x":9,"n":5,"c":"B"}}]}');
    expect((await failure((await external(url)).ask(1, []))).message).toMatch(
      /violates the constraint x \+ n <= 12/,
    );
  });

  it('ignores a failing /tell: it is only a notification', async () => {
    handler = answer(500, 'down');
    const s = await external(url, { retries: 0 });
    await expect(
      s.tell([{ suggestionId: 's1', params: { x: 1, n: 1, c: 'A' }, values: { y: { mean: 1 } } }]),
    ).resolves.toBeUndefined();
  });

  it('reports a service that is not there', async () => {
    const e = await failure((await external('http://127.0.0.1:9', { retries: 0 })).ask(1, []));
    expect(e.code).toBe('STRATEGY_FAILED');
    expect(e.message).toMatch(/external strategy http:\/\/127\.0\.0\.1:9\/ask/);
  });
});
