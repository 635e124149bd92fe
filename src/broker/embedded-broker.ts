/**
 * An in-process MQTT broker (aedes) on a TCP port. TCP_NODELAY on every socket: without it each request/reply waits
 * on Nagle plus delayed ACK, about 40 ms a round trip. Used by the daemon, `labloop sim` and the tests.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';

export interface EmbeddedBrokerOptions {
  host?: string;
  /** 0 takes a free port. */
  port?: number;
  aedes?: AedesOptions;
}

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
    const aedes = await Aedes.createBroker({ drainTimeout: 10_000, ...options.aedes });
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
