/**
 * Loads the daemon's settings: the YAML file (`--config`, else ./config/default.yaml, else the package's own), then
 * `LABLOOP_*` environment variables (`LABLOOP_HTTP__PORT` sets http.port), then command-line overrides. Validated
 * once; every problem names where the bad value came from. This is the only place that reads process.env.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYamlScalar } from 'yaml';
import type { z } from 'zod';
import { DocumentInvalidError, type Problem } from '../common/lab-error.js';
import { packageRoot } from '../common/package-root.js';
import { issuesToMessages, type PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { formatPath, parseYaml, problemAt, sortProblems, type YamlSource } from '../common/yaml-source.js';
import { configSchema, PATH_SETTINGS, type AppConfig } from './config.schema.js';
import { kindOf, shapeOf } from '../common/zod-introspect.js';

export interface ConfigOverrides {
  dataDir?: string;
  httpPort?: number;
  mqttUrl?: string;
  clockMode?: string;
  timeScale?: number;
  clockAnchor?: string;
}

export interface LoadConfigOptions {
  configPath?: string;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  overrides?: ConfigOverrides;
}

const ENV_PREFIX = 'LABLOOP_';
/** Variables with the prefix that are not settings (read by the CLI through this module). */
const NON_SETTING_ENV = new Set(['LABLOOP_TOKEN', 'LABLOOP_URL']);

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = chooseConfigFile(options.configPath, cwd);
  const shown = displayName(file, cwd);
  if (!existsSync(file)) {
    throw new DocumentInvalidError(
      [{ file: shown, path: '', message: 'configuration file not found' }],
      'CONFIG_INVALID',
    );
  }
  const parsed = parseYaml(shown, readFileSync(file, 'utf8'));
  if (parsed.problems.length > 0) throw new DocumentInvalidError(parsed.problems, 'CONFIG_INVALID');
  const raw = parsed.value ?? {};
  const problems: Problem[] = [];
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(problemAt(parsed.source, [], 'expected a mapping of settings'));
    throw new DocumentInvalidError(problems, 'CONFIG_INVALID');
  }
  const value = structuredClone(raw) as Record<string, unknown>;
  const origins = new Map<string, string>();
  const fileDir = dirname(file);
  resolvePaths(value, fileDir);
  problems.push(...applyEnv(value, env, origins, cwd));
  applyOverrides(value, options.overrides ?? {}, origins, cwd);

  const result = configSchema.safeParse(value);
  if (!result.success) {
    for (const m of issuesToMessages(result.error.issues, value, configSchema)) {
      problems.push(locateMessage(parsed.source, origins, m.path, m.message, m.atKey));
    }
  }
  if (problems.length > 0 || !result.success)
    throw new DocumentInvalidError(sortProblems(problems), 'CONFIG_INVALID');
  // Defaults for path settings are relative to the working directory; values from the file were resolved above.
  const data = result.data;
  data.dataDir = resolve(cwd, data.dataDir);
  return Object.freeze({ ...data, configFile: shown });
}

/** The file: an explicit path, else ./config/default.yaml, else the one shipped with the package. */
function chooseConfigFile(explicit: string | undefined, cwd: string): string {
  if (explicit) return resolve(cwd, explicit);
  const local = join(cwd, 'config', 'default.yaml');
  return existsSync(local) ? local : join(packageRoot(), 'config', 'default.yaml');
}

function displayName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** Relative paths written in the file are relative to the file's own folder. */
function resolvePaths(value: Record<string, unknown>, base: string): void {
  for (const setting of PATH_SETTINGS) {
    const path = setting.split('.');
    const parent = path.slice(0, -1).reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), value);
    const key = path[path.length - 1] as string;
    if (!isRecord(parent)) continue;
    const v = parent[key];
    if (typeof v === 'string') parent[key] = resolve(base, v);
    else if (Array.isArray(v))
      parent[key] = (v as unknown[]).map((x) => (typeof x === 'string' ? resolve(base, x) : x));
  }
}

function applyEnv(
  value: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  origins: Map<string, string>,
  cwd: string,
): Problem[] {
  const problems: Problem[] = [];
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || NON_SETTING_ENV.has(name) || text === undefined || text === '')
      continue;
    const where = `env ${name}`;
    const segments = name.slice(ENV_PREFIX.length).split('__');
    let schema: z.ZodType = configSchema;
    const path: string[] = [];
    let failed = false;
    for (const segment of segments) {
      const shape = shapeOf(schema);
      const key = shape && Object.keys(shape).find((k) => k.toUpperCase() === segment.toUpperCase());
      if (!shape || !key) {
        const known = shape ? Object.keys(shape).map((k) => [...path, k].join('__').toUpperCase()) : [];
        const hint = didYouMean(segments.join('__'), known).replace(
          'did you mean "',
          `did you mean "${ENV_PREFIX}`,
        );
        problems.push({ file: where, path: '', message: `no such setting${hint}` });
        failed = true;
        break;
      }
      path.push(key);
      schema = shape[key] as z.ZodType;
    }
    if (failed) continue;
    let parsed = coerceEnv(text, kindOf(schema));
    if (PATH_SETTINGS.includes(path.join('.'))) {
      parsed = Array.isArray(parsed)
        ? parsed.map((p) => resolve(cwd, String(p)))
        : resolve(cwd, String(parsed));
    }
    setAt(value, path, parsed);
    origins.set(path.join('.'), where);
  }
  return problems;
}

/** Environment text becomes the type the setting expects; anything unparsable stays text for the schema to reject. */
function coerceEnv(text: string, kind: string): unknown {
  if (kind === 'string' || kind === 'enum') return text;
  if (kind === 'array') {
    const trimmed = text.trim();
    if (trimmed.startsWith('[')) return safeYaml(trimmed);
    return trimmed
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return safeYaml(text);
}

function safeYaml(text: string): unknown {
  try {
    return parseYamlScalar(text) as unknown;
  } catch {
    return text;
  }
}

function applyOverrides(
  value: Record<string, unknown>,
  o: ConfigOverrides,
  origins: Map<string, string>,
  cwd: string,
): void {
  const set = (path: string[], v: unknown, flag: string): void => {
    setAt(value, path, v);
    origins.set(path.join('.'), flag);
  };
  if (o.dataDir !== undefined) set(['dataDir'], resolve(cwd, o.dataDir), 'option --data-dir');
  if (o.httpPort !== undefined) set(['http', 'port'], o.httpPort, 'option --port');
  if (o.mqttUrl !== undefined) set(['mqtt', 'url'], o.mqttUrl, 'option --mqtt');
  if (o.clockMode !== undefined) set(['clock', 'mode'], o.clockMode, 'option --clock');
  if (o.timeScale !== undefined) set(['clock', 'timeScale'], o.timeScale, 'option --time-scale');
  if (o.clockAnchor !== undefined) set(['clock', 'anchor'], o.clockAnchor, 'option --clock-anchor');
}

function locateMessage(
  source: YamlSource,
  origins: Map<string, string>,
  path: PathKey[],
  message: string,
  atKey: boolean,
): Problem {
  for (let i = path.length; i > 0; i--) {
    const origin = origins.get(path.slice(0, i).join('.'));
    if (origin) return { file: origin, path: formatPath(path), message };
  }
  return problemAt(source, path, message, atKey);
}

function setAt(root: Record<string, unknown>, path: string[], v: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (!isRecord(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Environment variables the CLI reads (the token and daemon URL); kept here so nothing else touches process.env. */
export function cliEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): {
  token?: string;
  url?: string;
} {
  return { token: env['LABLOOP_TOKEN'] || undefined, url: env['LABLOOP_URL'] || undefined };
}
