/**
 * The daemon's MQTT broker: the external one named by `mqtt.url`, or an embedded aedes broker started here on
 * `mqtt.embedded.host:port`. Everything else asks this service for the broker called "default". The embedded broker
 * authenticates every client (unless `mqtt.embedded.authenticate` is off): the daemon with its generated login,
 * each instrument with its own, admitted when a lab file declares it.
 */
import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { describeError, LabError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { BrokerAccess } from './broker-access.js';
import { BrokerCredentials, type Login } from './broker-credentials.js';
import { EmbeddedBroker } from './embedded-broker.js';

export interface BrokerTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

export interface BrokerEndpoint {
  url: string;
  username?: string;
  password?: string;
  topicPrefix: string;
  embedded: boolean;
  tls?: BrokerTls;
}

@Injectable()
export class BrokerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('broker');
  private embedded?: EmbeddedBroker;
  private resolved?: BrokerEndpoint;
  private access?: BrokerAccess;
  private credentials?: BrokerCredentials;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const { mqtt } = this.config;
    if (mqtt.url) {
      this.resolved = {
        url: mqtt.url,
        username: mqtt.username,
        password: mqtt.password,
        topicPrefix: mqtt.topicPrefix,
        embedded: false,
        tls: mqtt.tls && readTls(mqtt.tls),
      };
      this.logger.log(`using the MQTT broker at ${mqtt.url}`);
      return;
    }
    let login: Login | undefined;
    if (mqtt.embedded.authenticate) {
      this.credentials = BrokerCredentials.open(this.config.dataDir);
      this.access = new BrokerAccess();
      login = this.credentials.daemon;
      this.access.set({ role: 'daemon', ...login });
      // Instruments admitted in earlier runs may connect before their lab is loaded again.
      for (const [id, l] of Object.entries(this.credentials.instruments)) {
        this.access.set({ role: 'instrument', ...l, instrument: id, prefix: mqtt.topicPrefix });
      }
    }
    this.embedded = await EmbeddedBroker.start({
      host: mqtt.embedded.host,
      port: mqtt.embedded.port,
      access: this.access,
    });
    this.resolved = { url: this.embedded.url, ...login, topicPrefix: mqtt.topicPrefix, embedded: true };
    this.logger.log(
      `embedded MQTT broker listening on ${this.embedded.url}` +
        (this.credentials ? ` (logins in ${this.credentials.file})` : ' (no authentication)'),
    );
  }

  /** The broker called "default" in lab files. */
  get endpoint(): BrokerEndpoint {
    if (!this.resolved) throw new Error('the broker is not started yet');
    return this.resolved;
  }

  /**
   * Lets an instrument of the default broker in: with `login` (from its lab entry) or a generated one. Returns the
   * login the instrument uses (an in-process simulator connects with it); undefined for an external broker without
   * a login in the lab file, whose users are the broker administrator's business.
   */
  admitInstrument(id: string, prefix: string, login?: Login): Login | undefined {
    if (!this.embedded || !this.access) return login;
    const chosen = login ?? this.credentials?.instrument(id);
    if (!chosen) return undefined;
    const existing = this.access.get(chosen.username);
    if (existing?.role === 'daemon' || (existing?.role === 'instrument' && existing.instrument !== id))
      throw new LabError(
        'CONFLICT',
        `instrument ${id}: the MQTT user name "${chosen.username}" is already taken by ${existing.role === 'daemon' ? 'the daemon' : `instrument ${existing.instrument}`}`,
      );
    this.access.set({ role: 'instrument', ...chosen, instrument: id, prefix });
    return chosen;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.close();
    this.embedded = undefined;
  }
}

export function readTls(t: {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}): BrokerTls {
  const read = (file: string | undefined, what: string): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw new LabError('FILE_NOT_FOUND', `cannot read the TLS ${what} ${file}: ${describeError(e)}`);
    }
  };
  return {
    ca: read(t.ca, 'CA file'),
    cert: read(t.cert, 'certificate'),
    key: read(t.key, 'key'),
    rejectUnauthorized: t.rejectUnauthorized,
  };
}
