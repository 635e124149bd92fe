/**
 * A space file for `labloop optimize`: just `parameters`, `objectives` and optional `constraints`, with the same keys
 * as in a campaign and no `kind` or `version`. Problems are reported like any file's: `file:line:col: path: …`.
 */
import { z } from 'zod';
import { DocumentInvalidError, type Problem } from '../common/lab-error.js';
import { parseYaml, problemAt, validateWith } from '../common/yaml-source.js';
import { displayPath, readFileText } from '../protocol/document.loader.js';
import { objectiveSchema, parameterSchema } from '../protocol/campaign.schema.js';
import { name } from '../protocol/schema-parts.js';
import { compileConstraint } from './constraints.js';
import type { Constraint, Objectives, SearchSpace } from './strategy.port.js';

export const spaceFileSchema = z.strictObject({
  parameters: z.record(name(), parameterSchema).refine((p) => Object.keys(p).length > 0, {
    message: 'expected at least one parameter',
  }),
  objectives: z.record(name(), objectiveSchema).refine((o) => Object.keys(o).length > 0, {
    message: 'expected at least one objective',
  }),
  constraints: z
    .array(z.string().min(1))
    .default([])
    .describe('Conditions every point must meet, e.g. a + b <= 100'),
});

export interface SpaceFile {
  space: SearchSpace;
  objectives: Objectives;
  constraints: Constraint[];
}

export function loadSpaceFile(path: string): SpaceFile {
  const text = readFileText(path);
  const { source, value, problems } = parseYaml(displayPath(path), text);
  if (problems.length > 0) throw new DocumentInvalidError(problems);
  const result = validateWith(source, spaceFileSchema, value);
  if (!result.data) throw new DocumentInvalidError(result.problems);
  const data = result.data;
  const found: Problem[] = [];
  const constraints: Constraint[] = [];
  data.constraints.forEach((expr, i) => {
    const r = compileConstraint(expr, Object.keys(data.parameters));
    if (r.ok) constraints.push(r.constraint);
    else found.push(problemAt(source, ['constraints', i], r.message));
  });
  for (const [p, def] of Object.entries(data.parameters)) {
    if (def.type !== 'categorical' && def.min > def.max)
      found.push(
        problemAt(source, ['parameters', p, 'max'], `expected max >= min (${def.min}), got ${def.max}`),
      );
    if (def.type !== 'categorical' && def.log && def.min <= 0)
      found.push(
        problemAt(source, ['parameters', p, 'min'], `a log-scale parameter needs min > 0, got ${def.min}`),
      );
  }
  if (found.length > 0) throw new DocumentInvalidError(found);
  const objectives: Objectives = Object.fromEntries(
    Object.entries(data.objectives).map(([k, o]) => [k, { goal: o.goal }]),
  );
  return { space: data.parameters, objectives, constraints };
}
