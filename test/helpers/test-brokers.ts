/**
 * The two brokers driver tests run against, with the same users and rights: the embedded aedes (authenticating,
 * authorizing) and a real Mosquitto. Users: the daemon, and instruments `dev` and `other`.
 */
import { BrokerAccess, type BrokerUser } from '../../src/broker/broker-access.js';
import { EmbeddedBroker } from '../../src/broker/embedded-broker.js';
import { startMosquitto } from './mosquitto.js';

export type BrokerKind = 'aedes' | 'mosquitto';
export const BROKER_KINDS: BrokerKind[] = ['aedes', 'mosquitto'];

export interface TestBroker {
  kind: BrokerKind;
  url: string;
  login(username: 'labloop' | 'dev' | 'other'): { username: string; password: string };
  /** Stops and starts it again on the same port; in-memory state (sessions, retained messages) is gone. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_USERS: BrokerUser[] = [
  { role: 'daemon', username: 'labloop', password: 'daemon-secret' },
  { role: 'instrument', username: 'dev', password: 'dev-secret', instrument: 'dev', prefix: 'labloop' },
  { role: 'instrument', username: 'other', password: 'other-secret', instrument: 'other', prefix: 'labloop' },
];

function login(name: string): { username: string; password: string } {
  const u = TEST_USERS.find((x) => x.username === name);
  if (!u) throw new Error(`no test user ${name}`);
  return { username: u.username, password: u.password };
}

export async function startTestBroker(kind: BrokerKind): Promise<TestBroker> {
  if (kind === 'mosquitto') {
    const m = await startMosquitto({ users: TEST_USERS });
    return { kind, url: m.url, login, restart: () => m.restart(), close: () => m.stop() };
  }
  const access = new BrokerAccess();
  for (const u of TEST_USERS) access.set(u);
  let broker = await EmbeddedBroker.start({ port: 0, access });
  const port = broker.port;
  return {
    kind,
    url: broker.url,
    login,
    restart: async () => {
      await broker.close();
      broker = await EmbeddedBroker.start({ port, access });
    },
    close: () => broker.close(),
  };
}
