import { strategySchema } from './campaign.schema.js';

describe('the strategy block of a campaign', () => {
  it('accepts a built-in name, a module or an external service, with seed and options', () => {
    expect(strategySchema.parse({ name: 'bayes', seed: 3, options: { initial: 6 } })).toEqual({
      name: 'bayes',
      seed: 3,
      options: { initial: 6 },
    });
    expect(strategySchema.parse({ module: './mine.js', export: 'fast' })).toMatchObject({
      module: './mine.js',
      export: 'fast',
    });
    expect(strategySchema.parse({ external: { url: 'http://127.0.0.1:9000' } })).toEqual({
      external: { url: 'http://127.0.0.1:9000', timeout: '60 s', retries: 2 },
      seed: 0,
      options: {},
    });
    expect(strategySchema.parse({})).toEqual({ seed: 0, options: {} });
  });

  it('refuses several kinds at once, an export without a module and a URL that is not http', () => {
    const message = (v: unknown): string => strategySchema.safeParse(v).error?.issues[0]?.message ?? 'valid';
    expect(message({ name: 'bayes', module: './x.js' })).toBe(
      'expected one of name, module or external, not several',
    );
    expect(message({ name: 'bayes', export: 'x' })).toBe(
      'export names an export of a module: give module too',
    );
    expect(message({ external: { url: 'ftp://host' } })).toBe('expected an http:// or https:// URL');
    expect(message({ external: { url: 'http://h', retries: -1 } })).toBe('expected 0 to 10 retries');
  });
});
