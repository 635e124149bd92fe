/**
 * The instruments the daemon drives: built from lab files through the driver registry, one shared transport per
 * broker, one lock per instrument. `execute` is the only way a command reaches a driver, and it passes the command
 * guard (hard limits) first — and refuses everything while an interlock of the instrument's lab is tripped (the
 * contract's abort, `abort`, is never refused). `preflight` is the check a campaign passes before it starts. The labs
 * loaded are announced on `labs$` (the interlock monitor watches them).
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ReplaySubject, type Observable } from 'rxjs';
import { BrokerService, type BrokerEndpoint } from '../broker/broker.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { parseDuration } from '../common/durations.js';
import { describeError, LabError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { EventBus } from '../events/event-bus.service.js';
import { checkCampaign } from '../protocol/campaign.checks.js';
import { loadLabFile, type CampaignDocument } from '../protocol/document.loader.js';
import type { InstrumentSpec, LabSpec } from '../protocol/lab.schema.js';
import { DRIVERS } from '../../drivers/registry.js';
import { MqttLinkPool } from '../../drivers/mqtt/mqtt-link-pool.js';
import { guardCommand } from './command-guard.js';
import type {
  AbortDelivery,
  CommandOutcome,
  CommandRequest,
  DriverFiles,
  ExecuteOptions,
  InstrumentDescription,
  InstrumentDriver,
  PendingCommand,
  Reconciliation,
} from './instrument-driver.port.js';
import { InstrumentLock } from './instrument-lock.js';
import { InterlockLatch } from './interlock-latch.js';
import { actionsUsed, narrowedLab, preflight, type PreflightReport } from './instrument-preflight.js';
import { brokerEndpoint, instrumentLogin, labFiles } from './lab-files.js';
import { SimulatorHost } from './simulator-host.service.js';

export interface RegisteredInstrument {
  id: string;
  lab: string;
  spec: InstrumentSpec;
  driver: InstrumentDriver;
  lock: InstrumentLock;
}

@Injectable()
export class InstrumentRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('instruments');
  private readonly instruments = new Map<string, RegisteredInstrument & { specKey: string }>();
  private readonly links = new MqttLinkPool();
  private readonly replyTimeoutMs: number;
  private readonly labSpecs = new Map<string, string>();
  private readonly labsLoaded = new ReplaySubject<LabSpec>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly broker: BrokerService,
    private readonly events: EventBus,
    private readonly simulators: SimulatorHost,
    private readonly latch: InterlockLatch,
  ) {
    this.replyTimeoutMs = parseDuration(config.instruments.replyTimeout) ?? 10_000;
  }

  /** Connects the instruments of the lab files listed in `instruments.labs`. */
  async onApplicationBootstrap(): Promise<void> {
    for (const file of this.config.instruments.labs) {
      const lab = loadLabFile(file);
      await this.ensureLab(lab.spec, lab.path);
    }
  }

  /**
   * Connects every instrument of `lab` not connected yet (starting its simulators first, if declared). `labPath` is
   * the lab file, against which the paths it names (password files, certificates) are resolved.
   */
  async ensureLab(lab: LabSpec, labPath?: string): Promise<void> {
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
    if (fresh.length === 0) return this.announce(lab);
    const files = labFiles(labPath, this.config.dataDir);
    const endpoint = (name: string): BrokerEndpoint =>
      brokerEndpoint(lab, name, this.broker.endpoint, files, this.config.mqtt.topicPrefix);
    const logins = new Map(fresh.map(([id, spec]) => [id, this.admit(id, spec, files, endpoint)]));
    if (this.config.simulators.inProcess) {
      await this.simulators.startFor(lab, Object.fromEntries(fresh), (name, id) => ({
        ...endpoint(name),
        ...logins.get(id),
      }));
    }
    for (const [id, spec] of fresh) {
      const driver = DRIVERS[spec.driver]({
        id,
        spec,
        clock: this.clock,
        events: this.events,
        replyTimeoutMs: this.replyTimeoutMs,
        files,
        transports: { mqtt: (name) => this.links.get(endpoint(name)) },
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
    this.announce(lab);
  }

  /** Every lab whose instruments were loaded (replayed to late subscribers; again when its interlocks change). */
  get labs$(): Observable<LabSpec> {
    return this.labsLoaded.asObservable();
  }

  private announce(lab: LabSpec): void {
    const key = JSON.stringify(lab.interlocks);
    if (this.labSpecs.get(lab.name) === key) return;
    this.labSpecs.set(lab.name, key);
    this.labsLoaded.next(lab);
  }

  get(id: string): RegisteredInstrument | undefined {
    return this.instruments.get(id);
  }

  list(): RegisteredInstrument[] {
    return [...this.instruments.values()];
  }

  /**
   * The check at campaign start (the campaign's lab must be loaded): waits briefly for each instrument the protocol
   * uses to describe itself, then compares actions, parameter types and limits, and re-checks the search space
   * against the limits as narrowed by the instruments. Problems mean the campaign must not start.
   */
  async preflight(doc: CampaignDocument): Promise<PreflightReport> {
    const used = actionsUsed(doc.protocol);
    const ids = [...new Set(used.map((u) => u.instrument))];
    const described = new Map<string, InstrumentDescription | undefined>(
      await Promise.all(
        ids.map(async (id): Promise<[string, InstrumentDescription | undefined]> => [
          id,
          await this.instruments.get(id)?.driver.described(this.replyTimeoutMs),
        ]),
      ),
    );
    const report = preflight(doc.lab.spec, used, described);
    const narrowed = narrowedLab(doc.lab.spec, described);
    const findings = checkCampaign(doc.spec, { protocol: doc.protocol, lab: narrowed });
    for (const f of [...findings.campaign, ...findings.protocol]) {
      report.problems.push(`${f.path.join('.')}: ${f.message} (as the instrument narrows it)`);
    }
    return report;
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
    const tripped = this.latch.refusal(inst.lab);
    if (tripped) return { status: 'rejected', error: { code: 'INTERLOCK_TRIPPED', message: tripped } };
    const guarded = guardCommand(id, inst.spec, inst.driver.describe(), request.action, request.params);
    if (!guarded.ok) return { status: 'rejected', error: guarded.error };
    const outcome = await inst.driver.execute({ ...request, params: guarded.params }, options);
    if (outcome.status === 'done' || outcome.error.code !== 'ABORTED') return outcome;
    // Cut short by an interlock of the lab that aborts (`then: abort`): its outcome says so, for the recovery policy.
    const aborting = this.latch.trippedIn(inst.lab).filter((t) => t.action === 'abort');
    if (aborting.length === 0) return outcome;
    const why = aborting.map((t) => `interlock ${t.name} of lab ${t.lab} tripped (${t.detail})`).join(', ');
    return { ...outcome, error: { code: 'INTERLOCK_ABORTED', message: `${outcome.error.message}: ${why}` } };
  }

  /** What became of a command an earlier process left pending (see `InstrumentDriver.reconcile`). */
  async reconcile(id: string, command: PendingCommand): Promise<Reconciliation> {
    const inst = this.instruments.get(id);
    if (!inst) return { kind: 'unknown', reason: `no instrument ${id} in the lab any more` };
    try {
      return await inst.driver.reconcile(command);
    } catch (e) {
      return { kind: 'unknown', reason: `${id}: ${describeError(e)}` };
    }
  }

  /** Sends the abort to one instrument (`target`: one command; none: whatever runs). Never waits for a lock. */
  async abort(id: string, target?: string): Promise<AbortDelivery> {
    return this.require(id).driver.abort(target);
  }

  /** Broker links that are currently up, by URL. */
  brokerLinks(): { url: string; connected: boolean }[] {
    return this.links.all().map((l) => ({ url: l.options.url, connected: l.connected }));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const inst of this.instruments.values()) await inst.driver.close();
    this.instruments.clear();
    this.labsLoaded.complete();
    await this.links.closeAll();
  }

  private require(id: string): RegisteredInstrument {
    const inst = this.instruments.get(id);
    if (!inst) throw new LabError('INSTRUMENT_UNKNOWN', `no instrument ${id}`);
    return inst;
  }

  /** Lets an MQTT instrument into the daemon's embedded broker; returns the login it (or its simulator) uses. */
  private admit(
    id: string,
    spec: InstrumentSpec,
    files: DriverFiles,
    endpoint: (name: string) => BrokerEndpoint,
  ): { username?: string; password?: string } | undefined {
    if (spec.driver !== 'mqtt') return undefined;
    const login = instrumentLogin(id, spec, files);
    if (spec.broker !== 'default') return login;
    return this.broker.admitInstrument(id, spec.topicPrefix ?? endpoint('default').topicPrefix, login);
  }
}
