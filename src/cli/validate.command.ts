/** `labloop validate <files…>`: checks lab and campaign files without connecting to anything. */
import { formatProblem, type Problem } from '../common/lab-error.js';
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
  const results: { file: string; ok: boolean; problems: Problem[] }[] = files.map((file) => {
    const problems = validateFile(file, { lab: o.lab });
    return { file: displayPath(file), ok: problems.length === 0, problems };
  });
  if (o.json) {
    out.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      if (r.ok) out.write(`ok  ${r.file}\n`);
      else for (const p of r.problems) out.write(`${formatProblem(p)}\n`);
    }
    const bad = results.filter((r) => !r.ok).length;
    out.write(
      bad === 0
        ? `${results.length} file${results.length === 1 ? '' : 's'} valid\n`
        : `${bad} of ${results.length} files have problems\n`,
    );
  }
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.badInput;
}
