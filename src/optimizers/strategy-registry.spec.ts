import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock } from '../common/clock.js';
import { LabError } from '../common/lab-error.js';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { compileConstraint } from './constraints.js';
import type { Observation, StrategyInit } from './strategy.port.js';
import { StrategyRegistry, type StrategyRef } from './strategy-registry.service.js';

const init: StrategyInit = {
  space: { x: { type: 'float', min: 0, max: 10 }, c: { type: 'categorical', choices: ['A', 'B'] } },
  objectives: { y: { goal: 'minimize' } },
  constraints: [],
  seed: 3,
  options: {},
};
const registry = new StrategyRegistry(new SystemClock());

async function failure(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LabError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('strategy registry', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());
  const module = (name: string, source: string): StrategyRef => {
    writeFileSync(join(dir.path, name), source);
    return { module: `./${name}` };
  };
  const create = (ref: StrategyRef, i: StrategyInit = init) => registry.create(ref, i, { baseDir: dir.path });

  it('builds every built-in by name, and says which exist when the name is wrong', async () => {
    for (const name of registry.names()) expect(await (await create({ name })).ask(1, [])).toHaveLength(1);
    const e = await failure(create({ name: 'bays' }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(
      /no strategy "bays"; did you mean "bayes"\?; built-in: random, sobol, lhs, grid, bayes/,
    );
  });

  it('loads a module relative to the campaign, by default export, createStrategy or a named export', async () => {
    const body = `({ ask: async (n, p) => Array.from({ length: n }, (_, i) => ({ id: 'm' + (p.length + i), params: { x: 1, c: 'A' } })), tell: async () => {} })`;
    const byDefault = module('a.mjs', `export default () => ${body};`);
    const byName = module('b.mjs', `export const createStrategy = () => ${body};`);
    const named = module('c.mjs', `export const mine = () => ${body};`);
    for (const ref of [byDefault, byName, { ...named, export: 'mine' }])
      expect(await (await create(ref)).ask(1, [])).toEqual([{ id: 'm0', params: { x: 1, c: 'A' } }]);
  });

  it('loads an ESM-only npm package from node_modules above the campaign', async () => {
    const pkg = join(dir.path, 'node_modules', 'labloop-strategy-demo');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'labloop-strategy-demo',
        type: 'module',
        exports: { '.': { import: './main.js' } },
      }),
    );
    writeFileSync(
      join(pkg, 'main.js'),
      `export function createStrategy() { return { ask: async () => [{ id: 'p1', params: { x: 2, c: 'B' } }], tell: async () => {} }; }`,
    );
    const nested = join(dir.path, 'campaigns');
    mkdirSync(nested, { recursive: true });
    const s = await registry.create({ module: 'labloop-strategy-demo' }, init, { baseDir: nested });
    expect(await s.ask(1, [])).toEqual([{ id: 'p1', params: { x: 2, c: 'B' } }]);
  });

  it.each([
    ['a missing file', { module: './nope.js' }, /strategy module \.\/nope\.js: no such file/],
    [
      'a missing package',
      { module: 'labloop-no-such-strategy' },
      /no such package installed.*npm install labloop-no-such-strategy/,
    ],
    [
      'a module without a factory',
      { module: './empty.mjs' },
      /exports no StrategyFactory as default or createStrategy \(it exports other\)/,
    ],
    ['a module that does not parse', { module: './broken.mjs' }, /could not be loaded/],
    ['a factory that throws', { module: './throws.mjs' }, /could not be created: no licence/],
  ])('reports %s as STRATEGY_FAILED', async (_what, ref, message) => {
    module('empty.mjs', 'export const other = 1;');
    module('broken.mjs', 'export default (');
    module('throws.mjs', 'export default () => { throw new Error("no licence"); };');
    const e = await failure(create(ref));
    expect(e.code).toBe('STRATEGY_FAILED');
    expect(e.message).toMatch(message);
  });

  it('turns faults and invalid suggestions of a plug-in into STRATEGY_FAILED', async () => {
    const cases: [string, RegExp][] = [
      [
        `async ask() { throw new TypeError('x is undefined'); }`,
        /module \.\/bad\d\.mjs failed in ask\(\): x is undefined/,
      ],
      [
        `async ask() { return [{ id: 'a', params: { x: 1, c: 'A' } }, { id: 'a', params: { x: 2, c: 'A' } }]; }`,
        /id a was used before/,
      ],
      [
        `async ask() { return [{ id: 'a', params: { x: 1, c: 'Z' } }]; }`,
        /c: expected one of "A", "B", got "Z"/,
      ],
      [
        `async ask() { return [{ id: 'a', params: { x: 1, c: 'A', extra: 1 } }]; }`,
        /unknown parameter extra/,
      ],
      [
        `async ask() { return [{ id: 'a', params: { x: 1, c: 'A' } }, { id: 'b', params: { x: 1, c: 'A' } }, { id: 'c', params: { x: 1, c: 'A' } }]; }`,
        /asked for 2, got 3/,
      ],
      [`async ask() { return 'soon'; }`, /expected a list of suggestions/],
    ];
    for (const [i, [ask, message]] of cases.entries()) {
      const ref = module(`bad${i}.mjs`, `export default () => ({ ${ask}, async tell() {} });`);
      const e = await failure((await create(ref)).ask(2, []));
      expect(e.code).toBe('STRATEGY_FAILED');
      expect(e.message).toMatch(message);
    }
  });

  it('runs the documented example module: constraints met, and the same points after a rebuild', async () => {
    const ref = { module: './examples/strategy-module/nearby.strategy.js' };
    const r = compileConstraint('x <= 6', ['x', 'c']);
    if (!r.ok) throw new Error(r.message);
    const withConstraint = { ...init, constraints: [r.constraint], options: { step: 0.2 } };
    const make = () => registry.create(ref, withConstraint, { baseDir: process.cwd() });
    const original = await make();
    const history: Observation[] = [];
    for (let i = 0; i < 10; i++) {
      const [s] = await original.ask(1, []);
      expect(s!.params['x']).toBeLessThanOrEqual(6);
      const o = {
        suggestionId: s!.id,
        params: s!.params,
        values: { y: { mean: ((s!.params['x'] as number) - 4) ** 2 } },
      };
      history.push(o);
      await original.tell([o]);
    }
    expect(Math.min(...history.map((h) => h.values?.['y']?.mean ?? Infinity))).toBeLessThan(0.5);
    const rebuilt = await make();
    await rebuilt.tell(history);
    expect(await rebuilt.ask(2, [])).toEqual(await original.ask(2, []));
  });

  it('shows the example module in docs/strategies.md exactly as it is tested', () => {
    const example = readFileSync('examples/strategy-module/nearby.strategy.js', 'utf8').trimEnd();
    expect(readFileSync('docs/strategies.md', 'utf8')).toContain(example);
  });
});
