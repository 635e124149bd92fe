/**
 * The latch of tripped interlocks, by lab: the one piece of interlock state the command path reads. Set
 * synchronously when an interlock trips (and at boot from the journal), so from that moment the registry refuses
 * every new command to the lab's instruments; only an explicit reset clears it.
 */
import { Injectable } from '@nestjs/common';

export interface LatchedTrip {
  name: string;
  lab: string;
  /** What the trip did: hold the lab's campaigns, or also abort what ran on its instruments. */
  action: 'hold' | 'abort';
  detail: string;
  trippedAt: number;
}

@Injectable()
export class InterlockLatch {
  private readonly byLab = new Map<string, Map<string, LatchedTrip>>();

  set(t: LatchedTrip): void {
    const lab = this.byLab.get(t.lab) ?? new Map<string, LatchedTrip>();
    lab.set(t.name, t);
    this.byLab.set(t.lab, lab);
  }

  clear(lab: string, name: string): void {
    this.byLab.get(lab)?.delete(name);
  }

  /** The interlocks of `lab` that are tripped now. */
  trippedIn(lab: string): LatchedTrip[] {
    return [...(this.byLab.get(lab)?.values() ?? [])];
  }

  isTripped(lab: string, name: string): boolean {
    return this.byLab.get(lab)?.has(name) ?? false;
  }

  /** Why nothing may be sent to the instruments of `lab`, or undefined when nothing is tripped. */
  refusal(lab: string): string | undefined {
    const trips = this.trippedIn(lab);
    if (trips.length === 0) return undefined;
    return `interlock ${trips.map((t) => `${t.name} (${t.detail})`).join(', ')} of lab ${lab} tripped; reset it first`;
  }
}
