/**
 * The instruments the daemon drives: built from lab files through the driver registry, one shared transport per
 * broker, one lock per instrument. `execute` is the only way a command reaches a driver, and it passes the command
 * guard (hard limits) first.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { BrokerService, type BrokerEndpoint } from '../broker/broker.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { parseDuration } from '../common/durations.js';
import { LabError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { EventBus } from '../events/event-bus.service.js';
import type { InstrumentSpec, LabSpec } from '../protocol/lab.schema.js';
import { DRIVERS } from '../../drivers/registry.js';
import { MqttLinkPool } from '../../drivers/mqtt/mqtt-link-pool.js';
import { guardCommand } from './command-guard.js';
import type {
  CommandOutcome,
  CommandRequest,
  ExecuteOptions,
  InstrumentDriver,
} from './instrument-driver.port.js';
import { InstrumentLock } from './instrument-lock.js';
import { SimulatorHost } from './simulator-host.service.js';

export interface RegisteredInstrument {
  id: string;
  lab: string;
  spec: InstrumentSpec;
  driver: InstrumentDriver;
  lock: InstrumentLock;
}

@Injectable()
export class InstrumentRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('instruments');
  private readonly instruments = new Map<string, RegisteredInstrument & { specKey: string }>();
  private readonly links = new MqttLinkPool();
  private readonly replyTimeoutMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly broker: BrokerService,
    private readonly events: EventBus,
    private readonly simulators: SimulatorHost,
  ) {
    this.replyTimeoutMs = parseDuration(config.instruments.replyTimeout) ?? 10_000;
  }

  /** Connects every instrument of `lab` not connected yet (starting its simulators first, if declared). */
  async ensureLab(lab: LabSpec): Promise<void> {
    const fresh: [string, InstrumentSpec][] = [];
    for (const [id, spec] of Object.entries(lab.instruments)) {
      const existing = this.instruments.get(id);
      if (!existing) fresh.push([id, spec]);
      else if (existing.specKey !== JSON.stringify(spec)) {
        throw new LabError(
          'CONFLICT',
          `instrument ${id} is already defined differently by lab ${existing.lab}`,
        );
      }
    }
    if (fresh.length === 0) return;
    if (this.config.simulators.inProcess) {
      await this.simulators.startFor(lab, Object.fromEntries(fresh), (name) => this.endpoint(lab, name));
    }
    for (const [id, spec] of fresh) {
      const driver = DRIVERS[spec.driver]({
        id,
        spec,
        clock: this.clock,
        events: this.events,
        replyTimeoutMs: this.replyTimeoutMs,
        transports: { mqtt: (name) => this.links.get({ ...this.endpoint(lab, name), clientId: undefined }) },
      });
      await driver.connect();
      this.instruments.set(id, {
        id,
        lab: lab.name,
        spec,
        driver,
        lock: new InstrumentLock(spec.capacity),
        specKey: JSON.stringify(spec),
      });
      this.logger.log(`instrument ${id} (${spec.driver}) registered from lab ${lab.name}`);
    }
  }

  get(id: string): RegisteredInstrument | undefined {
    return this.instruments.get(id);
  }

  list(): RegisteredInstrument[] {
    return [...this.instruments.values()];
  }

  /** Waits for a free slot on the instrument; returns the function that frees it. */
  reserve(id: string, signal?: AbortSignal): Promise<() => void> {
    return this.require(id).lock.acquire(signal);
  }

  /** Sends one command through the command guard. Refused values come back as a rejected outcome. */
  async execute(id: string, request: CommandRequest, options?: ExecuteOptions): Promise<CommandOutcome> {
    const inst = this.instruments.get(id);
    if (!inst)
      return { status: 'rejected', error: { code: 'INSTRUMENT_UNKNOWN', message: `no instrument ${id}` } };
    const guarded = guardCommand(id, inst.spec, inst.driver.describe(), request.action, request.params);
    if (!guarded.ok) return { status: 'rejected', error: guarded.error };
    return inst.driver.execute({ ...request, params: guarded.params }, options);
  }

  /** Broker links that are currently up, by URL. */
  brokerLinks(): { url: string; connected: boolean }[] {
    return this.links.all().map((l) => ({ url: l.options.url, connected: l.connected }));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const inst of this.instruments.values()) await inst.driver.close();
    this.instruments.clear();
    await this.links.closeAll();
  }

  private require(id: string): RegisteredInstrument {
    const inst = this.instruments.get(id);
    if (!inst) throw new LabError('INSTRUMENT_UNKNOWN', `no instrument ${id}`);
    return inst;
  }

  private endpoint(lab: LabSpec, name: string): BrokerEndpoint {
    if (name === 'default') return this.broker.endpoint;
    const b = lab.brokers[name];
    if (!b) throw new LabError('NOT_FOUND', `lab ${lab.name} has no broker ${name}`);
    return {
      url: b.url,
      username: b.username,
      password: b.password,
      topicPrefix: b.topicPrefix ?? this.config.mqtt.topicPrefix,
      embedded: false,
    };
  }
}
