/** Runs, inside the daemon, the simulated instruments that lab files declare (when simulators.inProcess is on). */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import type { InstrumentSpec, LabSpec } from '../protocol/lab.schema.js';
import type { MqttSimInstrument } from '../../simulators/common/mqtt-sim-instrument.js';
import { startLabSimulators, type SimBroker } from '../../simulators/sim-host.js';

@Injectable()
export class SimulatorHost implements OnApplicationShutdown {
  private readonly logger = new Logger('simulators');
  private readonly running: MqttSimInstrument[] = [];
  /** What the simulators of one lab share (e.g. the bio bench), by lab name. */
  private readonly sharedByLab = new Map<string, Map<string, unknown>>();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  async startFor(
    lab: LabSpec,
    instruments: Record<string, InstrumentSpec>,
    broker: (name: string) => SimBroker,
  ): Promise<void> {
    const subset: LabSpec = { ...lab, instruments };
    let shared = this.sharedByLab.get(lab.name);
    if (!shared) this.sharedByLab.set(lab.name, (shared = new Map<string, unknown>()));
    const sims = await startLabSimulators(subset, { clock: this.clock, broker, shared });
    for (const s of sims) this.logger.log(`simulated instrument ${s.id} started`);
    this.running.push(...sims);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.running.splice(0).map((s) => s.stop()));
  }
}
