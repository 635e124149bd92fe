/** Shares one MqttLink per broker endpoint among all the instruments that use it. */
import { MqttLink, type MqttLinkOptions } from './mqtt-link.js';

export class MqttLinkPool {
  private readonly links = new Map<string, MqttLink>();

  get(options: MqttLinkOptions): MqttLink {
    const key = JSON.stringify([options.url, options.username ?? '', options.topicPrefix]);
    let link = this.links.get(key);
    if (!link) {
      link = new MqttLink(options);
      this.links.set(key, link);
    }
    return link;
  }

  all(): MqttLink[] {
    return [...this.links.values()];
  }

  async closeAll(): Promise<void> {
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all(links.map((l) => l.close()));
  }
}
