/**
 * Who may do what on the embedded broker. The daemon's user may do anything (except publish to $SYS); an instrument's
 * user may publish only its own state, describe, reply and telemetry, and subscribe only under its own topics — so
 * only the daemon can publish to `…/cmd`, and no instrument can speak for another. Passwords are compared in
 * constant time. The same rules are written as a Mosquitto ACL by `mosquittoAcl` (docs and the test harness).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type BrokerUser =
  | { role: 'daemon'; username: string; password: string }
  | { role: 'instrument'; username: string; password: string; instrument: string; prefix: string };

export class BrokerAccess {
  private readonly users = new Map<string, BrokerUser>();

  /** Adds or replaces a user. */
  set(user: BrokerUser): void {
    this.users.set(user.username, user);
  }

  get(username: string): BrokerUser | undefined {
    return this.users.get(username);
  }

  /** The user these credentials log in as, or undefined. */
  authenticate(username: string | undefined, password: Buffer | string | undefined): BrokerUser | undefined {
    if (username === undefined || password === undefined) return undefined;
    const user = this.users.get(username);
    if (!user) return undefined;
    return sameSecret(user.password, password) ? user : undefined;
  }

  mayPublish(user: BrokerUser, topic: string): boolean {
    if (topic.startsWith('$SYS')) return false;
    if (user.role === 'daemon') return true;
    const own = `${user.prefix}/${user.instrument}/`;
    if (!topic.startsWith(own) || /[+#]/.test(topic)) return false;
    const rest = topic.slice(own.length);
    return rest === 'state' || rest === 'describe' || rest === 'reply' || /^telemetry\/[^/]+$/.test(rest);
  }

  maySubscribe(user: BrokerUser, filter: string): boolean {
    if (user.role === 'daemon') return true;
    const own = `${user.prefix}/${user.instrument}/`;
    return filter.startsWith(own) && !/[+#]/.test(own);
  }
}

function sameSecret(expected: string, given: Buffer | string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** The same rules for Mosquitto (`acl_file`): one block per user. */
export function mosquittoAcl(users: readonly BrokerUser[]): string {
  const lines: string[] = [];
  for (const u of users) {
    lines.push(`user ${u.username}`);
    if (u.role === 'daemon') {
      lines.push('topic readwrite #');
    } else {
      const base = `${u.prefix}/${u.instrument}`;
      for (const t of ['state', 'describe', 'reply', 'telemetry/+']) lines.push(`topic write ${base}/${t}`);
      lines.push(`topic read ${base}/cmd`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
