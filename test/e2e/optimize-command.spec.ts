/** `labloop optimize` as a child process: the JSON-lines protocol on stdin/stdout, exit codes, nothing else on stdout. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABLOOP_BIN } from '../helpers/labloop-process.js';
import { lineProcess, type LineProcess } from '../helpers/line-process.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Ask {
  ask: { id: string; params: Record<string, number | string> }[];
}

const SPACE = `parameters:
  x: { type: float, min: -5, max: 10 }
  y: { type: float, min: 0, max: 15 }
  n: { type: int, min: 1, max: 4 }
  c: { type: categorical, choices: [A, B, C] }
objectives:
  f: { goal: minimize }
constraints:
  - x + y <= 18
`;

function branin(x: number, y: number): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  return (y - b * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
}

describe('labloop optimize', () => {
  const dir = tempDir();
  const space = join(dir.path, 'space.yaml');
  writeFileSync(space, SPACE);
  afterAll(() => dir.cleanup());

  const start = (...args: string[]): LineProcess =>
    lineProcess(process.execPath, [LABLOOP_BIN, 'optimize', '--space', space, ...args]);

  async function nextAsk(p: LineProcess): Promise<Ask> {
    const line = await p.next(60_000);
    const msg = JSON.parse(line) as Ask;
    expect(Object.keys(msg)).toEqual(['ask']);
    return msg;
  }

  it('asks at once, learns from each tell, asks again, and exits 0 at end of input', async () => {
    const p = start('--strategy', 'bayes', '--seed', '4');
    const ids = new Set<string>();
    let best = Infinity;
    for (let round = 0; round < 12; round++) {
      const { ask } = await nextAsk(p);
      expect(ask).toHaveLength(1);
      const [{ id, params }] = ask as [Ask['ask'][number]];
      expect(ids.has(id)).toBe(false);
      ids.add(id);
      const { x, y, n, c } = params as { x: number; y: number; n: number; c: string };
      expect(x + y).toBeLessThanOrEqual(18 + 1e-9);
      expect(Number.isInteger(n)).toBe(true);
      expect(['A', 'B', 'C']).toContain(c);
      if (round === 5) {
        p.send(JSON.stringify({ tell: [{ id, failed: true }] }));
        continue;
      }
      const f = branin(x, y) + n + (c === 'B' ? 0 : 5);
      best = Math.min(best, f);
      p.send(JSON.stringify({ tell: [{ id, values: { f: round % 2 ? f : { mean: f, sem: 0.1 } } }] }));
    }
    await nextAsk(p);
    p.end();
    expect((await p.exited).code).toBe(0);
    expect(best).toBeLessThan(60);
  });

  it('keeps K suggestions in flight with --batch K', async () => {
    const p = start('--strategy', 'sobol', '--batch', '3');
    const first = await nextAsk(p);
    expect(first.ask.map((a) => a.id)).toEqual(['s1', 's2', 's3']);
    p.send(JSON.stringify({ tell: [{ id: 's2', values: { f: 1 } }] }));
    expect((await nextAsk(p)).ask.map((a) => a.id)).toEqual(['s4']);
    p.send(
      JSON.stringify({
        tell: [
          { id: 's1', values: { f: 2 } },
          { id: 's3', failed: true },
        ],
      }),
    );
    expect((await nextAsk(p)).ask.map((a) => a.id)).toEqual(['s5', 's6']);
    p.end();
    expect((await p.exited).code).toBe(0);
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['an unknown id', '{"tell":[{"id":"s7","values":{"f":1}}]}', /s7 is not a suggestion waiting/],
    ['a missing objective', '{"tell":[{"id":"s1","values":{"g":1}}]}', /no value for objective f/],
    ['a value that is not a number', '{"tell":[{"id":"s1","values":{"f":"high"}}]}', /expected \{"tell"/],
  ])('refuses %s with a message on stderr and exit 2', async (_what, line, message) => {
    const p = start('--strategy', 'random');
    await nextAsk(p);
    p.send(line);
    const { code } = await p.exited;
    expect(code).toBe(2);
    expect(p.stderr()).toMatch(message);
    await expect(p.next(1000)).rejects.toThrow(/output ended/);
  });

  it('reports a bad space file with its location and exit 1, writing nothing on stdout', async () => {
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, SPACE.replace('max: 15', 'max: fifteen').replace('x + y <= 18', 'x + z <= 18'));
    const p = lineProcess(process.execPath, [LABLOOP_BIN, 'optimize', '--space', bad]);
    p.end();
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.stderr()).toMatch(/bad\.yaml:3:\d+: parameters\.y\.max: expected a number/);
    await expect(p.next(1000)).rejects.toThrow(/output ended/);
  });
});
