/**
 * The latest valid sample of every reading the running protocols use, from the instruments' telemetry. A sample
 * made invalid by a lost link removes the value: a condition on it is not met, and a read waits for a fresh one.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { CLOCK, type Clock } from '../common/clock.js';
import { InstrumentRegistry } from '../lab/instrument-registry.service.js';
import type { ReadingPort, Sample } from './execution.ports.js';

@Injectable()
export class LiveReadings implements ReadingPort, OnApplicationShutdown {
  private readonly latestByKey = new Map<string, Sample>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly instruments: InstrumentRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  latest(instrument: string, reading: string): Sample | undefined {
    this.follow(instrument);
    return this.latestByKey.get(`${instrument}.${reading}`);
  }

  watch(instrument: string, fn: () => void): () => void {
    this.follow(instrument);
    const set = this.watchers.get(instrument) ?? new Set();
    set.add(fn);
    this.watchers.set(instrument, set);
    return () => set.delete(fn);
  }

  /** Starts following an instrument's telemetry (once; instruments not registered yet are tried again later). */
  follow(instrument: string): void {
    if (this.subscriptions.has(instrument)) return;
    const inst = this.instruments.get(instrument);
    if (!inst) return;
    const sub = inst.driver.readings$.subscribe((r) => {
      const key = `${instrument}.${r.name}`;
      if (r.valid) this.latestByKey.set(key, { value: r.value, receivedAt: this.clock.now() });
      else this.latestByKey.delete(key);
      for (const fn of [...(this.watchers.get(instrument) ?? [])]) fn();
    });
    this.subscriptions.set(instrument, sub);
  }

  onApplicationShutdown(): void {
    for (const s of this.subscriptions.values()) s.unsubscribe();
    this.subscriptions.clear();
  }
}
