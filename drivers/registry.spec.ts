import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrumentSchema } from '../src/protocol/lab.schema.js';
import { DRIVERS } from './registry.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('driver registry', () => {
  it('lists every folder under drivers/', () => {
    const folders = readdirSync(here).filter((f) => statSync(join(here, f)).isDirectory());
    expect(folders.length).toBeGreaterThan(0);
    const missing = folders.filter((f) => !(f in DRIVERS));
    expect(missing).toEqual([]);
  });

  it('has a lab-file schema for every registered driver, and nothing else', () => {
    const options = instrumentSchema.options.map((o) => o.shape.driver.value as string);
    expect(options.sort()).toEqual(Object.keys(DRIVERS).sort());
  });
});
