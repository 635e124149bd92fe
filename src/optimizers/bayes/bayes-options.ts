/**
 * Options of the `bayes` strategy (`strategy: { name: bayes, options: {…} }`), validated once at construction with
 * messages that name the option.
 */
import { z } from 'zod';
import { LabError } from '../../common/lab-error.js';

const optionsSchema = z.strictObject({
  initial: z
    .int()
    .min(1)
    .optional()
    .describe(
      'Quasi-random experiments before the model is used (default: parameters + 1, between 5 and 10)',
    ),
  acquisition: z.enum(['logei', 'ucb']).default('logei'),
  kappa: z.number().positive().default(2).describe('UCB exploration weight'),
  rawSamples: z.int().min(16).default(1024).describe('Quasi-random candidates scored per suggestion'),
  restarts: z.int().min(1).default(8).describe('Local searches of the acquisition per suggestion'),
  maxFitPoints: z.int().min(10).default(200).describe('Observations used to fit hyperparameters at most'),
  maxModelPoints: z.int().min(10).default(500).describe('Observations the model is conditioned on at most'),
});

export type BayesOptions = z.output<typeof optionsSchema> & { initial: number };

export function parseBayesOptions(raw: Record<string, unknown>, parameterCount: number): BayesOptions {
  const r = optionsSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = ['strategy', 'options', ...issue.path.map(String)].join('.');
    throw new LabError('STRATEGY_FAILED', `bayes: ${path}: ${issue.message}`, path);
  }
  return { ...r.data, initial: r.data.initial ?? Math.min(10, Math.max(5, parameterCount + 1)) };
}
