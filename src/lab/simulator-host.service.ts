/** Runs, inside the daemon, the simulated instruments that lab files declare (when simulators.inProcess is on). */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import type { InstrumentSpec, LabSpec } from '../protocol/lab.schema.js';
import { loadFaultScript } from '../../simulators/common/fault-script.loader.js';
import type { FaultScript } from '../../simulators/common/fault-script.schema.js';
import type { MqttSimInstrument } from '../../simulators/common/mqtt-sim-instrument.js';
import { startLabSimulators, type SimBroker } from '../../simulators/sim-host.js';

@Injectable()
export class SimulatorHost implements OnApplicationShutdown {
  private readonly logger = new Logger('simulators');
  private readonly running: MqttSimInstrument[] = [];
  /** What the simulators of one lab share (e.g. the bio bench), by lab name. */
  private readonly sharedByLab = new Map<string, Map<string, unknown>>();

  private faults?: FaultScript;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async startFor(
    lab: LabSpec,
    instruments: Record<string, InstrumentSpec>,
    broker: (name: string, instrument: string) => SimBroker,
  ): Promise<void> {
    const subset: LabSpec = { ...lab, instruments };
    let shared = this.sharedByLab.get(lab.name);
    if (!shared) this.sharedByLab.set(lab.name, (shared = new Map<string, unknown>()));
    const file = this.config.simulators.faults;
    if (file && !this.faults) {
      this.faults = loadFaultScript(file);
      this.logger.warn(`injecting faults from ${file} (${this.faults.name}) into the simulated instruments`);
    }
    const sims = await startLabSimulators(subset, { clock: this.clock, broker, shared, faults: this.faults });
    for (const s of sims) this.logger.log(`simulated instrument ${s.id} started`);
    this.running.push(...sims);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.running.splice(0).map((s) => s.stop()));
  }
}
