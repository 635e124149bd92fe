/** Rewrites the shipped simulated-lab files (see shipped-labs.ts). Run from the package root after `npm run build`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { shippedLabFiles } from './shipped-labs.js';

for (const f of shippedLabFiles()) {
  mkdirSync(dirname(f.path), { recursive: true });
  writeFileSync(f.path, f.text);
  process.stdout.write(`wrote ${f.path}\n`);
}
