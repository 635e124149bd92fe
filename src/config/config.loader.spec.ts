import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentInvalidError, formatProblem } from '../common/lab-error.js';
import { loadConfig } from './config.loader.js';

function configFile(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'labloop-config-'));
  mkdirSync(join(dir, 'config'));
  const file = join(dir, 'config', 'default.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof DocumentInvalidError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('fills every default and resolves paths against the config file', () => {
    const { dir } = configFile('dataDir: ../data\n');
    const config = loadConfig({ cwd: dir, env: {} });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8470 });
    expect(config.mqtt.embedded.port).toBe(1883);
    expect(config.mqtt.url).toBeUndefined();
    expect(config.dataDir).toBe(join(dir, 'data'));
    expect(config.configFile).toBe(join('config', 'default.yaml'));
  });

  it('locates a bad value in the file: file:line:col: path: expected, got', () => {
    const { dir } = configFile('dataDir: ./d\nlog:\n  level: info\nhttp:\n  port: eighty\n');
    expect(problems(() => loadConfig({ cwd: dir, env: {} }))).toEqual([
      'config/default.yaml:5:9: http.port: expected an integer, got "eighty"',
    ]);
  });

  it('reports every problem at once, with suggestions for unknown keys', () => {
    const { dir } = configFile('htp:\n  port: 1\nlog:\n  level: loud\n');
    expect(problems(() => loadConfig({ cwd: dir, env: {} }))).toEqual([
      'config/default.yaml:1:1: htp: unknown key "htp"; did you mean "http"?',
      'config/default.yaml:4:10: log.level: expected one of "debug", "info", "warn", "error", got "loud"',
    ]);
  });

  it('takes LABLOOP_ environment overrides, typed by the schema', () => {
    const { dir } = configFile('{}\n');
    const config = loadConfig({
      cwd: dir,
      env: {
        LABLOOP_HTTP__PORT: '9001',
        LABLOOP_MQTT__URL: 'mqtt://broker:1883',
        LABLOOP_SIMULATORS__INPROCESS: 'false',
      },
    });
    expect(config.http.port).toBe(9001);
    expect(config.mqtt.url).toBe('mqtt://broker:1883');
    expect(config.simulators.inProcess).toBe(false);
  });

  it('names the environment variable a bad value came from', () => {
    const { dir } = configFile('{}\n');
    expect(problems(() => loadConfig({ cwd: dir, env: { LABLOOP_HTTP__PORT: 'eighty' } }))).toEqual([
      'env LABLOOP_HTTP__PORT: http.port: expected an integer, got "eighty"',
    ]);
  });

  it('refuses an unknown LABLOOP_ variable with a suggestion', () => {
    const { dir } = configFile('{}\n');
    expect(problems(() => loadConfig({ cwd: dir, env: { LABLOOP_HTTP__PROT: '1' } }))).toEqual([
      'env LABLOOP_HTTP__PROT: no such setting; did you mean "LABLOOP_HTTP__PORT"?',
    ]);
  });

  it('lets --data-dir win, relative to the working directory', () => {
    const { dir } = configFile('dataDir: ../elsewhere\n');
    const config = loadConfig({ cwd: dir, env: {}, overrides: { dataDir: 'mine' } });
    expect(config.dataDir).toBe(join(dir, 'mine'));
  });

  it('reports broken YAML with its place', () => {
    const { dir } = configFile('http:\n  port: [1,\n');
    const [first] = problems(() => loadConfig({ cwd: dir, env: {} }));
    expect(first).toMatch(/^config\/default\.yaml:\d+:\d+: /);
  });

  it('reports a missing --config file', () => {
    const { dir, file } = configFile('{}\n');
    expect(problems(() => loadConfig({ cwd: dir, env: {}, configPath: `${file}.missing` }))[0]).toMatch(
      /configuration file not found$/,
    );
  });
});
