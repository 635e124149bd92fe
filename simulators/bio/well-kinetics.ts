/**
 * What happens inside one well over time: the enzyme reaction (substrate → coloured product, with thermal
 * inactivation of the enzyme) and the culture (growth on the medium's carbon and nitrogen, reporter expression),
 * integrated together under the plate's temperature history. Species live in the well's Liquid as amounts; this
 * module reads concentrations, integrates, and writes the amounts back.
 *
 * Species: substrate, product (mM) · enzyme (active, µM) · cells (OD600, 1 cm) · carbon, nitrogen (g/L) ·
 * cells_q (Baranyi state × OD) · reporter (mg/L) · inducer (mM) · glucose, yeast_extract, tryptone, ammonium,
 * salts (g/L, the medium recipe, for its growth factor).
 */
import { integrate } from '../common/ode.js';
import { inactivationRate, turnoverRate } from './enzyme-kinetics.model.js';
import { cultureRates, mediumFactor, type Medium } from './growth.model.js';
import type { Liquid } from './labware.js';

const STATE = [
  'substrate',
  'product',
  'enzyme',
  'cells',
  'carbon',
  'nitrogen',
  'cells_q',
  'reporter',
] as const;

export function mediumOf(l: Liquid): Medium {
  return {
    glucose: l.conc('glucose'),
    yeastExtract: l.conc('yeast_extract'),
    tryptone: l.conc('tryptone'),
    ammonium: l.conc('ammonium'),
    salts: l.conc('salts'),
  };
}

/** Does anything change in this well over time? */
export function isActive(l: Liquid): boolean {
  if (l.volume <= 0) return false;
  const reacting = l.conc('enzyme') > 1e-9 && l.conc('substrate') > 1e-9;
  return reacting || l.conc('cells') > 1e-9;
}

/**
 * Advances a well by `seconds` of lab time. `tempAt(s)` is the well's temperature `s` seconds into the interval;
 * `rpm` the shaking speed (0 when standing).
 */
export function advanceWell(l: Liquid, seconds: number, tempAt: (s: number) => number, rpm: number): void {
  if (seconds <= 0 || !isActive(l)) return;
  const ph = l.ph;
  const inducer = l.conc('inducer');
  const factor = mediumFactor(mediumOf(l));
  const y0 = STATE.map((k) => l.conc(k));
  const cells0 = y0[3] as number;
  // The Baranyi state is stored per OD so that mixing keeps it; integrate q itself.
  y0[6] = cells0 > 0 ? (y0[6] as number) / cells0 : 0;
  const y = integrate(
    (t, s) => {
      const tempC = tempAt(t);
      const [S, , E, od, carbon, nitrogen, q, reporter] = s as [number, ...number[]];
      const v = turnoverRate(tempC, ph, Math.max(0, S), Math.max(0, E as number));
      const dE = -inactivationRate(tempC) * (E as number);
      const c = cultureRates(
        {
          od: od as number,
          carbon: carbon as number,
          nitrogen: nitrogen as number,
          q: q as number,
          reporter: reporter as number,
        },
        { tempC, rpm, inducerMM: inducer, mediumFactor: factor },
      );
      const perSecond = 1 / 3600;
      return [
        -v,
        v,
        dE,
        c.od * perSecond,
        c.carbon * perSecond,
        c.nitrogen * perSecond,
        c.q * perSecond,
        c.reporter * perSecond,
      ];
    },
    y0,
    0,
    seconds,
    { rtol: 1e-7, atol: 1e-12, maxSteps: 200_000 },
  );
  const od = Math.max(0, y[3] as number);
  y[6] = (y[6] as number) * od;
  STATE.forEach((k, i) => {
    l.amounts[k] = Math.max(0, y[i] as number) * l.volume;
  });
}
