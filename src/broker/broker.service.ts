/**
 * The daemon's MQTT broker: the external one named by `mqtt.url`, or an embedded aedes broker started here on
 * `mqtt.embedded.host:port`. Everything else asks this service for the URL of the broker called "default".
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { EmbeddedBroker } from './embedded-broker.js';

export interface BrokerEndpoint {
  url: string;
  username?: string;
  password?: string;
  topicPrefix: string;
  embedded: boolean;
}

@Injectable()
export class BrokerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('broker');
  private embedded?: EmbeddedBroker;
  private resolved?: BrokerEndpoint;

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
      };
      this.logger.log(`using the MQTT broker at ${mqtt.url}`);
      return;
    }
    this.embedded = await EmbeddedBroker.start({ host: mqtt.embedded.host, port: mqtt.embedded.port });
    this.resolved = { url: this.embedded.url, topicPrefix: mqtt.topicPrefix, embedded: true };
    this.logger.log(`embedded MQTT broker listening on ${this.embedded.url}`);
  }

  /** The broker called "default" in lab files. */
  get endpoint(): BrokerEndpoint {
    if (!this.resolved) throw new Error('the broker is not started yet');
    return this.resolved;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.close();
    this.embedded = undefined;
  }
}
