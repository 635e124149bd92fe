/**
 * What a simulated instrument remembers of the commands it received, so that a repeated id is answered with that
 * command's status and never run twice (contract v1: at least the last 10,000 commands).
 */
import type { ReplyPayload } from '../../drivers/mqtt/mqtt.contract.js';

export const REMEMBERED_COMMANDS = 10_000;

export class SimCommandMemory {
  private readonly byId = new Map<string, ReplyPayload>();

  constructor(private readonly capacity = REMEMBERED_COMMANDS) {}

  get(id: string): ReplyPayload | undefined {
    return this.byId.get(id);
  }

  /** Records the latest status of a command (oldest forgotten first once full). */
  set(reply: ReplyPayload): void {
    if (!this.byId.has(reply.id) && this.byId.size >= this.capacity) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
    this.byId.set(reply.id, reply);
  }

  get size(): number {
    return this.byId.size;
  }
}
