/**
 * Loads a StrategyFactory from a JavaScript module: a file (`./my-strategy.js`, relative to the campaign file) or an
 * installed npm package (`labloop-strategy-foo`, looked up from the campaign's folder upwards, then from the working
 * directory). The factory is the export named by `export:`, else the default export, else `createStrategy`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, LabError } from '../common/lab-error.js';
import type { StrategyFactory } from './strategy.port.js';

export async function loadStrategyFactory(
  specifier: string,
  baseDir: string,
  exportName?: string,
): Promise<StrategyFactory> {
  const file = resolveModule(specifier, baseDir);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new LabError(
      'STRATEGY_FAILED',
      `strategy module ${specifier} could not be loaded: ${describeError(e)}`,
    );
  }
  const candidates = exportName ? [exportName] : ['default', 'createStrategy'];
  for (const name of candidates) {
    const value = mod[name];
    if (typeof value === 'function') return value as StrategyFactory;
  }
  const found = Object.keys(mod).join(', ') || 'nothing';
  throw new LabError(
    'STRATEGY_FAILED',
    `strategy module ${specifier} exports no StrategyFactory as ${candidates.join(' or ')} (it exports ${found})`,
  );
}

function isPath(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || isAbsolute(specifier);
}

function resolveModule(specifier: string, baseDir: string): string {
  if (isPath(specifier)) {
    const file = resolve(baseDir, specifier);
    if (!existsSync(file))
      throw new LabError(
        'STRATEGY_FAILED',
        `strategy module ${specifier}: no such file (${file})`,
        'strategy.module',
      );
    return file;
  }
  for (const from of [baseDir, process.cwd()]) {
    const found = resolvePackage(specifier, from);
    if (found) return found;
  }
  throw new LabError(
    'STRATEGY_FAILED',
    `strategy module ${specifier}: no such package installed near ${baseDir} (npm install ${specifier})`,
    'strategy.module',
  );
}

/** Node's own resolution from `from`, then — for ESM-only packages — their package.json, read by hand. */
function resolvePackage(specifier: string, from: string): string | undefined {
  try {
    return createRequire(join(from, 'noop.js')).resolve(specifier);
  } catch {
    // fall through: an "exports" map without a require condition, or not installed here
  }
  for (let dir = from; ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', specifier);
    const manifest = join(root, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
      const entry = entryOf(pkg) ?? 'index.js';
      return join(root, entry);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function entryOf(pkg: Record<string, unknown>): string | undefined {
  const pick = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (typeof e !== 'object' || e === null) return undefined;
    const o = e as Record<string, unknown>;
    return pick(o['.']) ?? pick(o['import']) ?? pick(o['node']) ?? pick(o['default']);
  };
  return (
    pick(pkg['exports']) ??
    (typeof pkg['module'] === 'string' ? pkg['module'] : undefined) ??
    (typeof pkg['main'] === 'string' ? pkg['main'] : undefined)
  );
}
