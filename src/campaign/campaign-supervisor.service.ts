/**
 * The daemon's campaign lifecycle. At boot: resume every campaign left running (its in-flight experiments are
 * reconciled by the loop), connect the labs of those held by a tripped interlock, and create the startup campaigns if
 * the database holds none. At shutdown: drain.
 */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { parseDuration } from '../common/durations.js';
import { describeError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { loadCampaignFile } from '../protocol/document.loader.js';
import { RecordsRepository } from '../store/records.repository.js';
import { CampaignRunner } from './campaign-runner.service.js';
import { CampaignService } from './campaign.service.js';

/** Whether this process resumes and creates campaigns at boot (the daemon) or leaves that to its caller (`run`). */
export const SUPERVISE_CAMPAIGNS = Symbol('labloop.superviseCampaigns');

@Injectable()
export class CampaignSupervisor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('campaigns');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SUPERVISE_CAMPAIGNS) private readonly supervise: boolean,
    private readonly records: RecordsRepository,
    private readonly campaigns: CampaignService,
    private readonly runner: CampaignRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.supervise) return;
    const closed = this.campaigns.interruptAbortedLeftovers();
    if (closed > 0)
      this.logger.log(`interrupted ${closed} experiment(s) an abort left open before a restart`);
    for (const c of this.records.campaigns('running')) {
      this.logger.log(`resuming campaign ${c.name} (${c.id})`);
      await this.runner
        .launch(c.id)
        .catch((e: unknown) => this.logger.error(`cannot resume ${c.name}: ${describeError(e)}`));
    }
    await this.connectTrippedLabs();
    if (this.records.countCampaigns() > 0) return;
    for (const file of this.config.startup.campaigns) {
      const created = this.campaigns.create(loadCampaignFile(file));
      this.logger.log(`created campaign ${created.name} from ${created.specFile}`);
      await this.campaigns.start(created.id);
    }
  }

  /**
   * A lab with an interlock still tripped is connected for its held campaigns, so the interlock can be checked
   * against live readings and reset (a resume is refused until then, and would be what connects it otherwise).
   */
  private async connectTrippedLabs(): Promise<void> {
    const tripped = new Set(this.records.latchedTrips().map((t) => t.lab));
    if (tripped.size === 0) return;
    for (const c of this.records.campaigns('held')) {
      await this.runner
        .connectLab(c.id, (lab) => tripped.has(lab))
        .catch((e: unknown) => this.logger.warn(`cannot connect the lab of ${c.name}: ${describeError(e)}`));
    }
  }

  /** SIGTERM: no new commands; running ones finish or time out, within the drain timeout. */
  async beforeApplicationShutdown(): Promise<void> {
    const limit = parseDuration(this.config.shutdown.drainTimeout) ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), limit)),
    );
    const result = await Promise.race([this.runner.drainAll().then(() => 'drained' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout')
      this.logger.warn('drain timed out; unfinished commands are re-sent with their ids at the next start');
  }
}
