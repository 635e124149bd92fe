/**
 * `labloop validate <files…>`: checks any mix of lab, protocol, campaign and space files — told apart by their
 * `kind` — without connecting to anything, and prints every problem located (`file:line:col: path: …`). A protocol
 * file is checked against `--lab`, or against the one lab file among those given. Exit 0 when all are valid, 1 if not.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatProblem, type Problem } from '../common/lab-error.js';
import { parseYaml, sortProblems } from '../common/yaml-source.js';
import { displayPath, validateFile } from '../protocol/document.loader.js';
import { EXIT } from './cli-errors.js';

export interface ValidateOptions {
  lab?: string;
  json?: boolean;
}

export function validateCommand(
  files: string[],
  o: ValidateOptions,
  out: NodeJS.WritableStream = process.stdout,
): number {
  const lab = o.lab ?? onlyLab(files);
  const seen = new Set<string>();
  const results: { file: string; ok: boolean; problems: Problem[] }[] = files.map((file) => {
    const all = sortProblems(validateFile(file, lab ? { lab } : {}));
    // A lab's problems also show when a campaign using it is checked: each is printed once.
    const problems = all.filter((p) => {
      const key = formatProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return { file: displayPath(resolve(file)), ok: all.length === 0, problems };
  });
  if (o.json) {
    out.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      if (r.ok) out.write(`ok  ${r.file}\n`);
      else if (r.problems.length === 0) out.write(`${r.file}: uses a file with the problems above\n`);
      else for (const p of r.problems) out.write(`${formatProblem(p)}\n`);
    }
    const bad = results.filter((r) => !r.ok).length;
    out.write(
      bad === 0
        ? `${results.length} file${results.length === 1 ? '' : 's'} valid\n`
        : `${bad} of ${results.length} file${results.length === 1 ? '' : 's'} ${bad === 1 ? 'has' : 'have'} problems\n`,
    );
  }
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.badInput;
}

/** The one lab file among `files`, to check protocol files against; none when there are several or none. */
function onlyLab(files: string[]): string | undefined {
  const labs = files.filter((f) => {
    try {
      const { value } = parseYaml(f, readFileSync(f, 'utf8'));
      return (value as { kind?: unknown } | undefined)?.kind === 'lab';
    } catch {
      return false;
    }
  });
  return labs.length === 1 ? labs[0] : undefined;
}
