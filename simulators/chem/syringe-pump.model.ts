/**
 * A syringe pump feeding the flow path: delivers its stock at a set flow rate until the syringe is empty (it then
 * stops on its own and reports EMPTY), refills from its reservoir when stopped, and trips on overpressure (a clog
 * raises the coil's resistance). Volume is computed in closed form from the flow history; the only timer is the
 * moment the syringe runs dry.
 */
import type { Clock, Timer } from '../../src/common/clock.js';
import { SimActionError } from '../common/sim-model.js';
import type { FlowPath, Stock } from './flow-path.model.js';

export type PumpState = 'stopped' | 'running' | 'refilling' | 'error';

export interface SyringePumpOptions {
  id: string;
  stock: Stock;
  /** Syringe volume, mL. */
  capacityMl?: number;
  /** Highest flow rate, mL/min. */
  maxFlow?: number;
  /** Refill rate, mL/min. */
  refillRate?: number;
  /** Trip pressure, bar. */
  maxPressure?: number;
  /** Called when the pump stops on its own (ran empty, tripped). */
  onStateChange?: () => void;
}

export class SyringePump {
  readonly capacityMl: number;
  readonly maxFlow: number;
  readonly refillRate: number;
  readonly maxPressure: number;
  state: PumpState = 'stopped';
  /** Why it stopped on its own (EMPTY, OVERPRESSURE), until cleared by the next start or refill. */
  error?: { code: string; message: string };
  target = 0;
  private volume0: number;
  private since: number;
  private flow = 0;
  private emptyTimer?: Timer;

  constructor(
    private readonly o: SyringePumpOptions,
    private readonly path: FlowPath,
    private readonly clock: Clock,
  ) {
    this.capacityMl = o.capacityMl ?? 50;
    this.maxFlow = o.maxFlow ?? 10;
    this.refillRate = o.refillRate ?? 25;
    this.maxPressure = o.maxPressure ?? 20;
    this.volume0 = this.capacityMl;
    this.since = clock.now();
    path.connect(o.id, o.stock);
  }

  /** Liquid left in the syringe, mL. */
  volume(t = this.clock.now()): number {
    return Math.max(0, this.volume0 - (this.flow * (t - this.since)) / 60_000);
  }

  /** Delivered flow right now, mL/min. */
  get currentFlow(): number {
    return this.flow;
  }

  setTarget(q: number): void {
    if (!(q >= 0 && q <= this.maxFlow))
      throw new SimActionError('OUT_OF_RANGE', `flow rate ${q} mL/min outside 0..${this.maxFlow}`);
    this.target = q;
    if (this.state === 'running') this.deliver(q);
  }

  start(): void {
    if (this.state === 'refilling') throw new SimActionError('BUSY', `${this.o.id} is refilling`);
    if (this.volume() <= 1e-9)
      throw new SimActionError('EMPTY', `${this.o.id}: the syringe is empty; refill it`);
    this.error = undefined;
    this.state = 'running';
    this.deliver(this.target);
    this.checkPressure();
  }

  stop(): void {
    if (this.state === 'running') this.deliver(0);
    if (this.state !== 'refilling') this.state = 'stopped';
  }

  /** Refills the syringe; resolves when full. `wait` sleeps lab time. */
  async refill(wait: (ms: number) => Promise<void>): Promise<void> {
    if (this.state === 'running') throw new SimActionError('BUSY', `${this.o.id} is pumping; stop it first`);
    this.state = 'refilling';
    try {
      await wait(((this.capacityMl - this.volume()) / this.refillRate) * 60_000);
      this.rebase(0);
      this.volume0 = this.capacityMl;
      this.error = undefined;
    } finally {
      this.state = 'stopped';
    }
  }

  /** The flow path's pressure exceeds the trip point: stop with OVERPRESSURE. */
  checkPressure(): void {
    if (this.state !== 'running' || this.path.pressureBar() <= this.maxPressure) return;
    const bar = this.path.pressureBar();
    this.deliver(0);
    this.state = 'error';
    this.error = {
      code: 'OVERPRESSURE',
      message: `${this.o.id} tripped at ${bar.toFixed(1)} bar (limit ${this.maxPressure})`,
    };
    this.o.onStateChange?.();
  }

  private deliver(q: number): void {
    this.rebase(q);
    this.path.setFlow(this.o.id, q, this.clock.now());
    this.emptyTimer?.cancel();
    this.emptyTimer = undefined;
    if (q <= 0) return;
    const msToEmpty = (this.volume() / q) * 60_000;
    this.emptyTimer = this.clock.setTimer(msToEmpty, () => {
      this.emptyTimer = undefined;
      this.rebase(0);
      this.volume0 = 0;
      this.path.setFlow(this.o.id, 0, this.clock.now());
      this.state = 'error';
      this.error = { code: 'EMPTY', message: `${this.o.id}: the syringe ran empty` };
      this.o.onStateChange?.();
    });
  }

  /** Fixes the volume delivered so far and continues at flow q. */
  private rebase(q: number): void {
    const now = this.clock.now();
    this.volume0 = this.volume(now);
    this.since = now;
    this.flow = q;
  }

  close(): void {
    this.emptyTimer?.cancel();
  }
}
