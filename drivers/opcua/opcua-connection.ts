/**
 * One OPC UA client, session and subscription for one instrument's server, kept up for the driver's lifetime. The
 * first connection is retried with backoff until it succeeds (a refused certificate is reported, then retried in
 * case an operator trusts it); once connected, node-opcua reconnects by itself and restores the session and the
 * subscription with its monitored items. `up$` is honest about the link: false from the moment it is lost.
 * Network retries run on wall time: they are about sockets, not lab time.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  AttributeIds,
  type ClientSubscription,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
  type ClientSession,
  type DataValue,
  type NodeId,
  type OPCUACertificateManager,
  type UserIdentityInfo,
} from 'node-opcua';
import { BehaviorSubject } from 'rxjs';
import { describeError, LabError } from '../../src/common/lab-error.js';
import type { DriverFiles } from '../../src/lab/instrument-driver.port.js';
import { readSecretFile } from '../../src/lab/lab-files.js';
import type { OpcuaSecuritySpec } from './opcua.lab-schema.js';
import { acquirePki, pkiFolder, readCertificateFile, releasePki } from './opcua-pki.js';

export interface OpcuaConnectionOptions {
  id: string;
  endpoint: string;
  security: OpcuaSecuritySpec;
  files: DriverFiles;
  publishingIntervalMs: number;
  acceptAnyCertificate?: boolean;
}

export interface Monitored {
  stop(): void;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

export class OpcuaConnection {
  /** The session is usable. */
  readonly up$ = new BehaviorSubject(false);
  /** Why the link is down, if known (shown as the instrument's status detail). */
  readonly problem$ = new BehaviorSubject<string | undefined>(undefined);
  /** Incremented when the server lost our session and a new one was made: dynamic node ids may have changed. */
  generation = 0;
  private readonly logger: Logger;
  private client?: OPCUAClient;
  private session?: ClientSession;
  private subscription?: ClientSubscription;
  private pki?: OPCUACertificateManager;
  private closed = false;
  private retry?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(private readonly o: OpcuaConnectionOptions) {
    this.logger = new Logger(`opcua:${o.id}`);
  }

  get up(): boolean {
    return this.up$.value;
  }

  /** The session, or INSTRUMENT_OFFLINE while the link is down. */
  requireSession(): ClientSession {
    if (!this.session || !this.up)
      throw new LabError('INSTRUMENT_OFFLINE', `${this.o.id}: not connected to ${this.o.endpoint}`);
    return this.session;
  }

  /** Connects in the background; resolves at once. */
  start(): void {
    void this.connectLoop();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.wake?.();
    this.up$.next(false);
    this.up$.complete();
    this.problem$.complete();
    // Each step is bounded: on a dead link a polite close would wait for its request timeout.
    if (this.up) await bounded(this.subscription?.terminate());
    await bounded(this.session?.close(true));
    await bounded(this.client?.disconnect());
    if (this.pki) await releasePki(this.o.files.dataDir, this.o.acceptAnyCertificate === true);
  }

  /** Follows a variable by subscription; `onChange` gets every new value (the first one at once). */
  async monitor(
    nodeId: NodeId,
    samplingIntervalMs: number,
    onChange: (dv: DataValue) => void,
  ): Promise<Monitored> {
    const sub = this.subscription;
    if (!sub || !this.up) throw new LabError('INSTRUMENT_OFFLINE', `${this.o.id}: not connected`);
    const item = await sub.monitor(
      { nodeId, attributeId: AttributeIds.Value },
      { samplingInterval: samplingIntervalMs, queueSize: 1, discardOldest: true },
      TimestampsToReturn.Both,
    );
    item.on('changed', onChange);
    return { stop: () => void item.terminate().catch(() => undefined) };
  }

  private async connectLoop(): Promise<void> {
    let delay = RETRY_MIN_MS;
    // The trusted/ listing as it was when an attempt began that the server's certificate refusal ended, if one did.
    let refusedWith: string | undefined;
    while (!this.closed) {
      const listing = this.trustedListing();
      try {
        // An operator may have moved the refused certificate to trusted/ since. node-opcua learns of that from a
        // folder watcher, which can miss a rename (a loaded machine, a network folder): if the folder changed, the
        // manager reads it again. Only then: a reload empties its lists for a moment, for every instrument sharing it.
        if (refusedWith !== undefined && refusedWith !== listing) {
          await this.pki?.reloadCertificates();
          refusedWith = undefined;
        }
        await this.connectOnce();
        return;
      } catch (e) {
        if (this.closed) return;
        if (isUntrusted(e)) refusedWith = listing;
        const problem = this.explain(e);
        this.problem$.next(problem);
        this.logger.warn(`cannot connect to ${this.o.endpoint}: ${problem}; retrying`);
        await this.client?.disconnect().catch(() => undefined);
        this.client = undefined;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.retry = setTimeout(resolve, delay);
      });
      delay = Math.min(RETRY_MAX_MS, delay * 2);
    }
  }

  private trustedListing(): string {
    try {
      return readdirSync(join(pkiFolder(this.o.files.dataDir), 'trusted', 'certs'))
        .sort()
        .join('\n');
    } catch {
      return '';
    }
  }

  private async connectOnce(): Promise<void> {
    const s = this.o.security;
    this.pki ??= await acquirePki(this.o.files.dataDir, this.o.acceptAnyCertificate === true);
    for (const file of s.trust)
      await this.pki.trustCertificate(readCertificateFile(this.o.files.labPath(file)));
    const policy = s.policy ?? (s.mode === 'None' ? 'None' : 'Basic256Sha256');
    const client = OPCUAClient.create({
      applicationName: 'labloop',
      endpointMustExist: false,
      securityMode: MessageSecurityMode[s.mode],
      securityPolicy: SecurityPolicy[policy],
      clientCertificateManager: this.pki,
      // maxRetry -1: the first connect keeps trying, and so does every reconnection (0 would end them).
      connectionStrategy: { maxRetry: -1, initialDelay: 250, maxDelay: 2000 },
      requestedSessionTimeout: 60_000,
      keepSessionAlive: true,
    });
    this.client = client;
    client.on('connection_lost', () => this.setUp(false));
    client.on('connection_reestablished', () => this.setUp(true));
    client.on('backoff', () => {
      const problem = `cannot reach ${this.o.endpoint}; retrying`;
      if (this.problem$.value !== problem) this.problem$.next(problem);
    });
    await client.connect(this.o.endpoint);
    const session = await client.createSession(this.identity());
    session.on('session_repaired', () => this.generation++);
    this.session = session;
    this.subscription = await session.createSubscription2({
      requestedPublishingInterval: this.o.publishingIntervalMs,
      requestedLifetimeCount: 600,
      requestedMaxKeepAliveCount: 20,
      publishingEnabled: true,
      priority: 10,
    });
    if (this.closed) return;
    this.setUp(true);
    this.logger.log(`connected to ${this.o.endpoint} (${s.mode}${s.mode === 'None' ? '' : `, ${policy}`})`);
  }

  private identity(): UserIdentityInfo {
    const u = this.o.security.user;
    if (!u) return { type: UserTokenType.Anonymous };
    const password = u.passwordFile
      ? readSecretFile(
          this.o.files.labPath(u.passwordFile),
          `instrument ${this.o.id}: security.user.passwordFile`,
        )
      : (u.password ?? '');
    return { type: UserTokenType.UserName, userName: u.username, password };
  }

  private setUp(up: boolean): void {
    if (this.closed) return;
    if (up && this.problem$.value !== undefined) this.problem$.next(undefined);
    if (this.up$.value !== up) this.up$.next(up);
  }

  /** Why the link is down, if known. */
  get problem(): string | undefined {
    return this.problem$.value;
  }

  private explain(e: unknown): string {
    const m = describeError(e);
    if (isUntrusted(e))
      return `the server's certificate is not trusted (${m}); trust it in the lab file (security.trust) or move it from ${pkiFolder(this.o.files.dataDir)}/rejected to trusted`;
    return m;
  }
}

function isUntrusted(e: unknown): boolean {
  return /BadCertificateUntrusted|verification failed/i.test(describeError(e));
}

/** Waits for `p` at most `ms` (wall time), ignoring its failure. */
async function bounded(p: Promise<unknown> | undefined, ms = 2000): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
