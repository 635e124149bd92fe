/**
 * `bayes`: Gaussian-process Bayesian optimization. The first `initial` suggestions come from a scrambled Sobol'
 * design; after that each suggestion k
 *   1. builds the target — the objective, or a ParEGO scalarization with weights drawn from (seed, k);
 *   2. conditions a Matern-5/2 ARD GP on it, with hyperparameters from the checkpoint chain (hyperparameter-chain);
 *   3. adds every pending suggestion, and those made earlier in the same ask, as fantasies at their posterior mean
 *      (Kriging believer), so a batch spreads out instead of piling up;
 *   4. when experiments failed, multiplies in the probability of success of a failure model;
 *   5. maximizes LogEI (or UCB) inside the constraints.
 * Everything random derives from (seed, k) and every fit from the data alone, so a strategy rebuilt from the stored
 * history proposes what the original would have (the rule of the port).
 */
import { LabError } from '../../common/lab-error.js';
import { deriveSeed, SeededRandom } from '../../common/seeded-random.js';
import { fitHyperparameters } from '../gp/gp-fit.js';
import { GpModel } from '../gp/gp-model.js';
import { QuasiRandomDesign } from '../space/quasi-random-design.js';
import { SpaceModel, type Params } from '../space/space-model.js';
import type { Observation, Strategy, StrategyFactory, StrategyInit, Suggestion } from '../strategy.port.js';
import { SuggestionLedger, suggestionId } from '../suggestion-ledger.js';
import { makeAcquisition } from './acquisition.js';
import { maximizeAcquisition } from './acquisition-optimizer.js';
import { parseBayesOptions, type BayesOptions } from './bayes-options.js';
import { FailureModel } from './failure-model.js';
import { fitRows, HyperparameterChain } from './hyperparameter-chain.js';
import { collectOutcomes, gpData, type Outcomes } from './training-data.js';

const INCUMBENTS = 3;

export class BayesStrategy implements Strategy {
  private readonly ledger = new SuggestionLedger();
  private readonly model: SpaceModel;
  private readonly design: QuasiRandomDesign;
  private readonly options: BayesOptions;
  private readonly chain: HyperparameterChain;
  private readonly objectiveCount: number;

  constructor(private readonly init: StrategyInit) {
    this.objectiveCount = Object.keys(init.objectives).length;
    if (this.objectiveCount === 0)
      throw new LabError('STRATEGY_FAILED', 'bayes needs at least one objective', 'objectives');
    this.model = new SpaceModel(init.space, init.constraints);
    this.design = new QuasiRandomDesign(this.model, init.seed);
    this.options = parseBayesOptions(init.options, this.model.unitDims);
    this.chain = new HyperparameterChain(init.seed, this.options.maxFitPoints);
  }

  async ask(count: number, pending: Suggestion[]): Promise<Suggestion[]> {
    const k0 = this.ledger.nextIndex(pending);
    const outcomes = collectOutcomes(this.model, this.init.objectives, this.ledger.observations());
    const busy = this.ledger.stillPending(pending).map((p) => p.params);
    const out: Suggestion[] = [];
    for (let k = k0; k < k0 + count; k++) {
      const params = this.suggest(k, outcomes, busy);
      busy.push(params);
      out.push({ id: suggestionId(k), params });
    }
    return out;
  }

  async tell(observations: Observation[]): Promise<void> {
    this.ledger.record(observations);
  }

  private suggest(k: number, outcomes: Outcomes, busy: readonly Params[]): Params {
    if (k < this.options.initial || outcomes.successes < 2) return this.design.point(k);
    const rng = new SeededRandom(deriveSeed(this.init.seed, 'bayes', k));
    const weights = this.objectiveCount > 1 ? simplexWeights(this.objectiveCount, rng) : undefined;
    // At large n the posterior is conditioned on a subset: the best half and an even spread of the rest.
    const rows = fitRows(targetsOf(outcomes), outcomes.values.length, this.options.maxModelPoints);
    const theta = this.hyperparameters(outcomes, weights);
    const data = gpData(outcomes, rows, weights);
    const fitted = GpModel.fit(data, theta);
    const means = fitted.trainingMeans();
    const order = rows.map((_, r) => r).sort((a, b) => means[b]! - means[a]! || a - b);
    const feasibleBusy = busy.filter((p) => this.model.isFeasible(p)).map((p) => this.model.encode(p));
    const gp = fitted.withFantasies(stack(feasibleBusy, this.model.encodedDims), feasibleBusy.length);
    // Kriging believer: fantasies count as observations, so the incumbent is the best of both.
    const best = Math.max(...gp.trainingMeans());
    const acquisition = makeAcquisition({
      kind: this.options.acquisition,
      gp,
      best,
      kappa: this.options.kappa,
      failure: this.failureModel(outcomes, theta),
    });
    const exclude = new Set([
      ...this.ledger.observations().map((o) => this.model.key(o.params)),
      ...busy.map((p) => this.model.key(p)),
    ]);
    const large = outcomes.values.length > this.options.maxFitPoints;
    const params = maximizeAcquisition({
      model: this.model,
      acquisition,
      rng,
      rawSamples: large ? Math.ceil(this.options.rawSamples / 2) : this.options.rawSamples,
      restarts: large ? Math.ceil(this.options.restarts / 2) : this.options.restarts,
      incumbents: order.slice(0, INCUMBENTS).map((i) => data.X.slice(i * data.dim, (i + 1) * data.dim)),
      exclude,
      maxIterations: large ? 30 : 60,
    });
    return params ?? this.design.point(k);
  }

  /** Single objective: the chain's fit. Several: the chain's fit on equal weights, refined for these weights. */
  private hyperparameters(outcomes: Outcomes, weights: number[] | undefined): Float64Array {
    const equal = weights?.map(() => 1 / weights.length);
    const targets = targetsOf(outcomes);
    const theta = this.chain.thetaFor(
      { ids: outcomes.ids, targets, data: (index) => gpData(outcomes, index, equal) },
      this.model.encodedDims,
    );
    if (!weights) return theta;
    const index = fitRows(targets, outcomes.values.length, this.options.maxFitPoints);
    return fitHyperparameters(gpData(outcomes, index, weights), [theta], { maxIterations: 30 }).theta;
  }

  private failureModel(outcomes: Outcomes, theta: Float64Array): FailureModel | undefined {
    const all = outcomes.all;
    if (all.every((o) => o.succeeded)) return undefined;
    const X = stack(
      all.map((o) => o.z),
      this.model.encodedDims,
    );
    return FailureModel.fit(
      X,
      all.map((o) => o.succeeded),
      this.model.encodedDims,
      theta,
      this.options.maxFitPoints,
    );
  }
}

/** One number per observation to rank them by: the objective, or the sum of the (maximized) objectives. */
function targetsOf(outcomes: Outcomes): number[] {
  return outcomes.values.map((v) => v.reduce((a, b) => a + b, 0));
}

/** Uniform weights on the simplex: normalized exponential spacings. */
function simplexWeights(m: number, rng: SeededRandom): number[] {
  const e = Array.from({ length: m }, () => -Math.log(1 - rng.next()));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function stack(rows: readonly Float64Array[], dim: number): Float64Array {
  const out = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => out.set(r, i * dim));
  return out;
}

export const bayesStrategy: StrategyFactory = (init) => new BayesStrategy(init);
