/**
 * An in-process MQTT broker (aedes) on a TCP port. TCP_NODELAY on every socket: without it each request/reply waits
 * on Nagle plus delayed ACK, about 40 ms a round trip. Used by the daemon, `labloop sim` and the tests. With `access`
 * it authenticates every client and authorizes every publish and subscription (see broker-access.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import type { BrokerAccess, BrokerUser } from './broker-access.js';

export interface EmbeddedBrokerOptions {
  host?: string;
  /** 0 takes a free port. */
  port?: number;
  aedes?: AedesOptions;
  /** Users and their rights; without it any client may connect and publish anywhere. */
  access?: BrokerAccess;
}

/** CONNACK return codes of MQTT 3.1.1. */
const BAD_USERNAME_OR_PASSWORD = 4;

export class EmbeddedBroker {
  private server?: Server;
  private aedes?: Aedes;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;
  private boundHost = '127.0.0.1';

  static async start(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
    const b = new EmbeddedBroker();
    await b.listen(options);
    return b;
  }

  get url(): string {
    return `mqtt://${this.boundHost}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  get instance(): Aedes {
    if (!this.aedes) throw new Error('broker not started');
    return this.aedes;
  }

  private async listen(options: EmbeddedBrokerOptions): Promise<void> {
    // drainTimeout: one frozen subscriber must not stall delivery to everyone.
    const aedes = await Aedes.createBroker({
      drainTimeout: 10_000,
      ...(options.access ? guard(options.access) : {}),
      ...options.aedes,
    });
    this.aedes = aedes;
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    });
    this.server = server;
    this.boundHost = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, this.boundHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
  }

  /** Stops accepting, drops every client, closes the broker (server.close alone leaves aedes running). */
  async close(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    this.server = undefined;
    this.aedes = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

/** aedes hooks enforcing `access`: a refused publish closes the client's connection (MQTT 3.1.1 has no NACK). */
function guard(access: BrokerAccess): Partial<AedesOptions> {
  const users = new WeakMap<Client, BrokerUser>();
  return {
    authenticate: (client, username, password, done) => {
      const user = access.authenticate(username, password);
      if (!user) {
        const e = new Error('bad user name or password') as AuthenticateError;
        (e as { returnCode: number }).returnCode = BAD_USERNAME_OR_PASSWORD;
        done(e, false);
        return;
      }
      users.set(client, user);
      done(null, true);
    },
    authorizePublish: (client, packet, done) => {
      // client is null for the broker's own publishes.
      const user = client ? users.get(client) : undefined;
      if (client && (!user || !access.mayPublish(user, packet.topic))) {
        done(new Error(`not allowed to publish to ${packet.topic}`));
        return;
      }
      done(null);
    },
    authorizeSubscribe: (client, sub, done) => {
      const user = users.get(client);
      done(null, user && access.maySubscribe(user, sub.topic) ? sub : null);
    },
  };
}
