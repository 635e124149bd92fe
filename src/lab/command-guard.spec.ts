import fc from 'fast-check';
import { instrumentSchema, type InstrumentSpec } from '../protocol/lab.schema.js';
import { guardCommand } from './command-guard.js';
import type { InstrumentDescription } from './instrument-driver.port.js';

const reactor: InstrumentSpec = instrumentSchema.parse({
  driver: 'mqtt',
  actions: {
    heat: {
      params: {
        temperature: { type: 'number', unit: 'degC' },
        ramp: { type: 'integer' },
        mode: { type: 'string', enum: ['fast', 'slow'] },
      },
    },
    stir: { params: { rpm: { type: 'integer' } } },
  },
  limits: {
    temperature: { min: 20, max: 140 },
    ramp: { min: 1, max: 10 },
    'stir.rpm': { min: 0, max: 1200 },
  },
});

const ok = { temperature: 80, ramp: 2, mode: 'fast' };

describe('guardCommand: the hard-limit choke point', () => {
  it('passes values inside the limits', () => {
    expect(guardCommand('reactor', reactor, undefined, 'heat', ok)).toEqual({ ok: true, params: ok });
  });

  it.each([
    [
      { ...ok, temperature: 140.0001 },
      'LIMIT_EXCEEDED',
      'reactor.heat.temperature = 140.0001 is outside the hard limit [20, 140] degC',
    ],
    [
      { ...ok, temperature: Number.NaN },
      'BAD_PARAMETER',
      'reactor.heat.temperature: expected a finite number, got NaN',
    ],
    [
      { ...ok, temperature: Infinity },
      'BAD_PARAMETER',
      'reactor.heat.temperature: expected a finite number, got Infinity',
    ],
    [
      { ...ok, temperature: '80' },
      'BAD_PARAMETER',
      'reactor.heat.temperature: expected a finite number, got "80"',
    ],
    [{ ...ok, ramp: 2.5 }, 'BAD_PARAMETER', 'reactor.heat.ramp: expected an integer, got 2.5'],
    [{ ...ok, mode: 'turbo' }, 'BAD_PARAMETER', 'reactor.heat.mode: expected one of fast, slow, got "turbo"'],
    [{ temperature: 80, ramp: 2 }, 'BAD_PARAMETER', 'reactor.heat.mode is missing'],
    [{ ...ok, extra: 1 }, 'BAD_PARAMETER', 'reactor.heat has no parameter "extra"'],
  ])('refuses %j', (params, code, message) => {
    expect(guardCommand('reactor', reactor, undefined, 'heat', params)).toEqual({
      ok: false,
      error: { code, message },
    });
  });

  it('turns -0 into 0', () => {
    const r = guardCommand('reactor', reactor, undefined, 'stir', { rpm: -0 });
    expect(r.ok && Object.is(r.params['rpm'], 0)).toBe(true);
  });

  it("narrows the lab's limit by the instrument's own description, never widens it", () => {
    const described: InstrumentDescription = {
      actions: { heat: { params: { temperature: { type: 'number', min: 0, max: 100 } }, result: {} } },
      readings: {},
    };
    expect(guardCommand('reactor', reactor, described, 'heat', { ...ok, temperature: 101 }).ok).toBe(false);
    expect(guardCommand('reactor', reactor, described, 'heat', { ...ok, temperature: 10 }).ok).toBe(false);
    expect(guardCommand('reactor', reactor, described, 'heat', { ...ok, temperature: 100 }).ok).toBe(true);
  });

  it('reports a lab limit and a description that do not overlap', () => {
    const described: InstrumentDescription = {
      actions: { heat: { params: { temperature: { type: 'number', min: 150, max: 200 } }, result: {} } },
      readings: {},
    };
    const r = guardCommand('reactor', reactor, described, 'heat', ok);
    expect(r).toEqual({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED', message: expect.stringContaining('do not overlap') },
    });
  });

  it('refuses a number whose unit the instrument reads differently', () => {
    const described: InstrumentDescription = {
      actions: { heat: { params: { temperature: { type: 'number', unit: 'K' } }, result: {} } },
      readings: {},
    };
    expect(guardCommand('reactor', reactor, described, 'heat', ok)).toEqual({
      ok: false,
      error: {
        code: 'UNIT_MISMATCH',
        message:
          'reactor.heat.temperature: the lab file gives it in degC, the instrument expects K; refusing to send it',
      },
    });
  });

  it('never lets a value outside the limits through, whatever it is (property)', () => {
    const anyValue = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e308, -1e308, Number.MIN_VALUE),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.record({ value: fc.double(), unit: fc.constantFrom('degC', 'K', 'degF') }),
    );
    fc.assert(
      fc.property(anyValue, anyValue, (temperature, ramp) => {
        const r = guardCommand('reactor', reactor, undefined, 'heat', { temperature, ramp, mode: 'slow' });
        if (!r.ok) return true;
        const t = r.params['temperature'];
        const rp = r.params['ramp'];
        return (
          typeof t === 'number' &&
          Number.isFinite(t) &&
          t >= 20 &&
          t <= 140 &&
          typeof rp === 'number' &&
          Number.isInteger(rp) &&
          rp >= 1 &&
          rp <= 10
        );
      }),
      { numRuns: 20_000 },
    );
  });
});
