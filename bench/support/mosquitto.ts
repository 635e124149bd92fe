/**
 * A real Mosquitto for tests and benchmarks: started on a free port from a generated config in a temp dir — password file, ACL
 * with the same rights the embedded broker enforces (broker-access.ts), `set_tcp_nodelay true`, no persistence —
 * optionally with a TLS listener that requires client certificates. Fails with an install hint when Mosquitto is
 * missing (`.ci/run` installs it).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { mosquittoAcl, type BrokerUser } from '../../src/broker/broker-access.js';

export interface MosquittoTls {
  ca: string;
  cert: string;
  key: string;
}

export interface MosquittoBroker {
  url: string;
  port: number;
  /** mqtts:// URL of the TLS listener, when started with `tls`. */
  tlsUrl?: string;
  /** Stops and starts it again on the same ports (no persistence: sessions and retained messages are gone). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const HINT = 'Mosquitto is not installed: apt-get install -y mosquitto mosquitto-clients (.ci/run does this)';

export function mosquittoBinary(): string {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'])
    if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' }).trim() || fail();
  } catch {
    return fail();
  }
}

function fail(): never {
  throw new Error(HINT);
}

export async function startMosquitto(o: {
  users: BrokerUser[];
  tls?: MosquittoTls;
}): Promise<MosquittoBroker> {
  const bin = mosquittoBinary();
  const dir = mkdtempSync(join(tmpdir(), 'labloop-mosquitto-'));
  const port = await freePort();
  const tlsPort = o.tls ? await freePort() : undefined;
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, o.users.map((u) => `${u.username}:${u.password}\n`).join(''), { mode: 0o600 });
  execFileSync('mosquitto_passwd', ['-U', passwd]);
  writeFileSync(join(dir, 'acl'), mosquittoAcl(o.users));
  const conf = [
    `user ${userInfo().username}`,
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${passwd}`,
    `acl_file ${join(dir, 'acl')}`,
    'set_tcp_nodelay true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    `listener ${port} 127.0.0.1`,
    ...(o.tls && tlsPort
      ? [
          `listener ${tlsPort} 127.0.0.1`,
          `cafile ${o.tls.ca}`,
          `certfile ${o.tls.cert}`,
          `keyfile ${o.tls.key}`,
          'require_certificate true',
        ]
      : []),
  ];
  const confFile = join(dir, 'mosquitto.conf');
  writeFileSync(confFile, `${conf.join('\n')}\n`);
  let child: ChildProcess | undefined;
  let stderr = '';
  const start = async (): Promise<void> => {
    stderr = '';
    const c = spawn(bin, ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child = c;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (c.exitCode !== null || Date.now() > deadline)
        throw new Error(`mosquitto did not start (exit ${c.exitCode}): ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    tlsUrl: tlsPort ? `mqtts://127.0.0.1:${tlsPort}` : undefined,
    restart: async () => {
      await stop();
      await start();
    },
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
