#!/usr/bin/env node
// The `labloop` command. The TypeScript is compiled by `npm install` (the prepare script) into dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'labloop is not built: run `npm install` (or `npm run build`) in the labloop folder\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
