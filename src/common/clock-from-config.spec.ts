import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../simulators/common/virtual-clock.js';
import { loadConfig } from '../config/config.loader.js';
import { DocumentInvalidError, formatProblem } from './lab-error.js';
import { SystemClock } from './clock.js';
import { clockFromConfig, clockMode } from './clock-from-config.js';

function clockConfig(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'labloop-clock-'));
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'default.yaml'), 'dataDir: ./d\n');
  return loadConfig({ cwd: dir, env }).clock;
}

describe('clockFromConfig', () => {
  it('is wall time by default, scaled when a time scale is given (as before modes existed)', () => {
    expect(clockMode(clockConfig({}))).toBe('real');
    expect(clockMode(clockConfig({ LABLOOP_CLOCK__TIMESCALE: '60' }))).toBe('scaled');
    expect(clockFromConfig(clockConfig({}))).toBeInstanceOf(SystemClock);
  });

  it('scaled: two processes with the same scale and anchor read the same lab time', () => {
    const anchor = new Date(Date.now() - 10_000).toISOString();
    const env = {
      LABLOOP_CLOCK__MODE: 'scaled',
      LABLOOP_CLOCK__TIMESCALE: '60',
      LABLOOP_CLOCK__ANCHOR: anchor,
    };
    const a = clockFromConfig(clockConfig(env));
    const b = clockFromConfig(clockConfig(env));
    // Ten wall seconds after the anchor, lab time is ten lab minutes after it.
    expect(a.now() - Date.parse(anchor)).toBeGreaterThanOrEqual(600_000);
    expect(Math.abs(a.now() - b.now())).toBeLessThan(60 * 50);
  });

  it('virtual: starts at the anchor and stands still until something waits', () => {
    const clock = clockFromConfig(
      clockConfig({ LABLOOP_CLOCK__MODE: 'virtual', LABLOOP_CLOCK__ANCHOR: '2030-01-01T00:00:00Z' }),
    );
    try {
      expect(clock).toBeInstanceOf(VirtualClock);
      expect(new Date(clock.now()).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    } finally {
      (clock as VirtualClock).close();
    }
  });

  it('refuses a time scale with a mode that does not use it, and a malformed anchor', () => {
    let messages: string[] = [];
    try {
      clockConfig({
        LABLOOP_CLOCK__MODE: 'virtual',
        LABLOOP_CLOCK__TIMESCALE: '10',
        LABLOOP_CLOCK__ANCHOR: 'yesterday',
      });
    } catch (e) {
      if (!(e instanceof DocumentInvalidError)) throw e;
      messages = e.problems.map(formatProblem);
    }
    expect(messages).toEqual([
      expect.stringMatching(/clock\.anchor: expected a valid datetime, got "yesterday"/),
      expect.stringMatching(/clock\.timeScale: timeScale applies to mode scaled only/),
    ]);
  });
});
