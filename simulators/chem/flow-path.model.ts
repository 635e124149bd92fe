/**
 * The continuous-flow SnAr rig as physics, independent of any wire protocol: syringe pumps feeding a heated coil
 * reactor whose outlet an inline HPLC samples. Sources: ../shared/research/instruments.md §6.1–6.3 and snar.model.ts.
 *
 * - Pumps deliver stock solutions (Summit: DFNB 2.0 M, pyrrolidine 4.2 M, ethanol make-up) at set flow rates until
 *   their syringe is empty. The feed's composition is the flow-weighted mix.
 * - The reactor is a plug-flow coil of volume V (Summit: 5 mL): the fluid leaving at time t entered when the volume
 *   pumped since equals V, so its residence time follows from the flow history; a Gaussian residence-time spread
 *   (σ = 5 % of V) stands for axial dispersion. Before the first fluid arrives the coil holds solvent only.
 * - Temperature: the coil approaches its setpoint with a first-order lag (τ = 3 min for a heated block, [G]); a
 *   fluid element reacts at the mean temperature it saw on its way through.
 * - Chemistry: snar.model.ts (current Summit kinetics, or the 2020 variant) at that residence time, temperature and
 *   inlet composition.
 * - Pressure: ΔP = R·q over the coil (R = 0.5 bar per mL/min [G]) behind a 2 bar back-pressure regulator; a clog
 *   multiplies R.
 */
import { outletConcentrations, type SnarVariant } from './snar.model.js';

export type Species5 = [number, number, number, number, number];

/** What a pump's syringe holds: molar concentrations of DFNB (a) and pyrrolidine (b); ethanol otherwise. */
export interface Stock {
  a: number;
  b: number;
}

interface Thermal {
  since: number;
  from: number;
  target: number;
}

interface Segment {
  /** Lab time it starts, ms. */
  t: number;
  /** Total flow, mL/min. */
  q: number;
  /** Mixed inlet concentrations, M. */
  a: number;
  b: number;
}

export const AMBIENT_C = 25;
const RTD_OFFSETS = [-2, -1, 0, 1, 2];
const RTD_WEIGHTS = [0.0545, 0.2442, 0.4026, 0.2442, 0.0545];

export class FlowPath {
  private readonly feeds = new Map<string, { stock: Stock; q: number }>();
  private readonly history: Segment[] = [];
  /** Setpoint changes: from each, the coil approaches `target` starting at `from`. */
  private readonly thermal: Thermal[] = [];
  /** Extra flow resistance from a clog (1 = clean). */
  clogFactor = 1;

  constructor(
    readonly o: {
      /** Coil volume, mL (Summit: 5). */
      volumeMl: number;
      /** Thermal time constant of the reactor, ms. */
      tauMs: number;
      variant: SnarVariant;
      now: number;
    },
  ) {
    this.history.push({ t: o.now, q: 0, a: 0, b: 0 });
    this.thermal.push({ since: o.now, from: AMBIENT_C, target: AMBIENT_C });
  }

  /** Registers a pump and what its syringe holds. */
  connect(pump: string, stock: Stock): void {
    this.feeds.set(pump, { stock, q: 0 });
  }

  /** A pump's delivered flow changed (started, stopped, ran dry), mL/min. */
  setFlow(pump: string, q: number, now: number): void {
    const feed = this.feeds.get(pump);
    if (!feed) throw new Error(`pump ${pump} is not connected`);
    feed.q = Math.max(0, q);
    let total = 0;
    let a = 0;
    let b = 0;
    for (const f of this.feeds.values()) {
      total += f.q;
      a += f.q * f.stock.a;
      b += f.q * f.stock.b;
    }
    const seg: Segment = { t: now, q: total, a: total > 0 ? a / total : 0, b: total > 0 ? b / total : 0 };
    const last = this.history[this.history.length - 1] as Segment;
    if (last.t === now) this.history[this.history.length - 1] = seg;
    else this.history.push(seg);
  }

  totalFlow(): number {
    return (this.history[this.history.length - 1] as Segment).q;
  }

  /** Residence time at the current flow, min (Infinity when nothing flows). */
  residenceTime(): number {
    const q = this.totalFlow();
    return q > 0 ? this.o.volumeMl / q : Infinity;
  }

  pressureBar(): number {
    return 2 + 0.5 * this.clogFactor * this.totalFlow();
  }

  setTemperature(target: number, now: number): void {
    const seg: Thermal = { since: now, from: this.temperature(now), target };
    const last = this.thermal[this.thermal.length - 1] as Thermal;
    if (last.since === now) this.thermal[this.thermal.length - 1] = seg;
    else this.thermal.push(seg);
  }

  get setpoint(): number {
    return (this.thermal[this.thermal.length - 1] as Thermal).target;
  }

  /** The coil's temperature at lab time t, °C. */
  temperature(t: number): number {
    const seg = this.thermalAt(t);
    return seg.target + (seg.from - seg.target) * Math.exp(-Math.max(0, t - seg.since) / this.o.tauMs);
  }

  private thermalAt(t: number): Thermal {
    for (let i = this.thermal.length - 1; i > 0; i--) {
      const seg = this.thermal[i] as Thermal;
      if (seg.since <= t) return seg;
    }
    return this.thermal[0] as Thermal;
  }

  /** Mean coil temperature over [t1, t2], integrating the first-order approach across setpoint changes. */
  meanTemperature(t1: number, t2: number): number {
    if (t2 <= t1) return this.temperature(t2);
    const tau = this.o.tauMs;
    let integral = 0;
    for (let i = 0; i < this.thermal.length; i++) {
      const seg = this.thermal[i] as Thermal;
      const next = this.thermal[i + 1];
      const a = Math.max(t1, i === 0 ? -Infinity : seg.since);
      const b = Math.min(t2, next ? next.since : Infinity);
      if (b <= a) continue;
      const ea = Math.exp(-Math.max(0, a - seg.since) / tau);
      const eb = Math.exp(-Math.max(0, b - seg.since) / tau);
      integral += seg.target * (b - a) + tau * (seg.from - seg.target) * (ea - eb);
    }
    return integral / (t2 - t1);
  }

  /** Outlet concentrations (DFNB, pyrrolidine, ortho, para, bis), M, of the fluid leaving at lab time t. */
  outlet(t: number): Species5 {
    const out: Species5 = [0, 0, 0, 0, 0];
    RTD_OFFSETS.forEach((k, i) => {
      const c = this.elementLeavingAt(t, this.o.volumeMl * (1 + 0.05 * k));
      const w = RTD_WEIGHTS[i] as number;
      for (let s = 0; s < 5; s++) out[s] = (out[s] as number) + w * (c[s] as number);
    });
    return out;
  }

  /** The fluid element that has travelled `volume` mL through the coil by time t. */
  private elementLeavingAt(t: number, volume: number): Species5 {
    let remaining = volume;
    let end = t;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const seg = this.history[i] as Segment;
      if (seg.t >= end) continue;
      const pumped = (seg.q * (end - seg.t)) / 60_000;
      if (pumped >= remaining) {
        const entered = end - (remaining / seg.q) * 60_000;
        return this.react(seg, entered, t);
      }
      remaining -= pumped;
      end = seg.t;
    }
    return [0, 0, 0, 0, 0]; // solvent that filled the coil at the start
  }

  private react(feed: Segment, entered: number, t: number): Species5 {
    if (feed.a <= 0) return [0, feed.b, 0, 0, 0];
    const residenceTimeMin = (t - entered) / 60_000;
    return outletConcentrations(
      {
        residenceTimeMin,
        equivalents: feed.b / feed.a,
        concentrationM: feed.a,
        temperatureC: this.meanTemperature(entered, t),
      },
      this.o.variant,
    );
  }
}
