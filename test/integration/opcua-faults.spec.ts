/**
 * OPC UA faults against real servers: a server restart (readings invalid while it is down, the subscription restored
 * and fresh values flowing after), the offline policy, and certificates — an untrusted server is refused, one the
 * lab file trusts is accepted.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import type { CommandRequest, Reading } from '../../src/lab/instrument-driver.port.js';
import { opcuaDriver } from '../helpers/opcua-rig.js';
import { REACTOR_NS, startReactorServer } from '../helpers/opcua-test-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

function entry(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    driver: 'opcua',
    endpoint: url,
    namespaces: { r: REACTOR_NS },
    actions: { check: { params: {}, result: { status: { type: 'string' } } } },
    readings: { temperature: { type: 'number' } },
    readingNodes: { temperature: 'ns=r;s=Reactor.Temperature' },
    operations: { check: { steps: [{ read: { node: 'ns=r;s=Reactor.Status', into: 'status' } }] } },
    subscription: { publishingInterval: '50 ms', samplingInterval: '20 ms' },
    ...extra,
  };
}

/** Sets environment variables; the returned function puts back what was there. */
function setEnv(vars: Record<string, string>): () => void {
  const before = Object.keys(vars).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

const check = (over: Partial<CommandRequest> = {}): CommandRequest => ({
  id: randomUUID(),
  action: 'check',
  params: {},
  deadline: Date.now() + 30_000,
  timeoutMs: 30_000,
  ...over,
});

describe('OPC UA faults', () => {
  it('survives a server restart: readings invalid while down, subscription restored, fresh values after', async () => {
    const dir = tempDir('labloop-opcua-restart-');
    let server = await startReactorServer({ pkiDir: dir.path });
    const rig = opcuaDriver(entry(server.url), dir.path);
    try {
      await rig.driver.connect();
      await firstValueFrom(rig.driver.readings$.pipe(filter((r) => r.valid)));

      const invalid = firstValueFrom(rig.driver.readings$.pipe(filter((r) => !r.valid)));
      const port = server.port;
      await server.stop();
      expect((await invalid).valid).toBe(false);
      await waitFor('link down', () => !rig.driver.status().link);
      // A command meanwhile waits for the link (its policy), then runs once the server is back.
      const pending = rig.driver.execute(check());

      server = await startReactorServer({ pkiDir: dir.path, port });
      const restartedAt = Date.now();
      server.state.setpoint = 80;
      const fresh: Reading[] = await firstValueFrom(
        rig.driver.readings$.pipe(
          filter((r) => r.valid),
          take(3),
          toArray(),
        ),
      );
      const recoveryMs = Date.now() - restartedAt;
      expect(fresh).toHaveLength(3);
      expect(new Set(fresh.map((r) => r.value)).size).toBe(3);
      expect(rig.driver.status()).toMatchObject({ link: true, online: true });
      expect(await pending).toEqual({ status: 'done', result: { status: 'Idle' } });
      process.stdout.write(
        `OPC UA recovery after a server restart: 3 fresh values ${recoveryMs} ms after restart\n`,
      );
    } finally {
      await rig.close();
      await server.stop();
      dir.cleanup();
    }
  });

  it('applies the offline policy: fail at once, or wait a bounded time', async () => {
    const dir = tempDir('labloop-opcua-offline-');
    const rig = opcuaDriver(entry('opc.tcp://127.0.0.1:9'), dir.path);
    try {
      await rig.driver.connect();
      expect(await rig.driver.execute(check(), { offline: { policy: 'fail' } })).toMatchObject({
        status: 'failed',
        error: { code: 'INSTRUMENT_OFFLINE' },
      });
      expect(
        await rig.driver.execute(check(), { offline: { policy: 'wait', maxWaitMs: 200 } }),
      ).toMatchObject({
        status: 'timeout',
        error: { code: 'INSTRUMENT_OFFLINE' },
      });
      expect(rig.driver.status()).toMatchObject({ link: false, online: false });
    } finally {
      await rig.close();
      dir.cleanup();
    }
  });

  it('refuses a server whose certificate it does not trust, and accepts it once the lab file trusts it', async () => {
    const dir = tempDir('labloop-opcua-certs-');
    const server = await startReactorServer({ pkiDir: join(dir.path, 'server-pki'), secureOnly: true });
    const secure = { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' };
    const untrusting = opcuaDriver(entry(server.url, { security: secure }), dir.path);
    // node-opcua's folder watcher, made to poll every 10 minutes, never sees the operator's move during this test: the
    // driver must notice it by itself.
    const restoreEnv = setEnv({ OPCUA_PKI_USE_POLLING: 'true', OPCUA_PKI_POLLING_INTERVAL: '600000' });
    try {
      await refusedThenTrusted();
      await trustedByTheLabFile();
    } finally {
      restoreEnv();
      // Whatever failed above, the server goes: a server left listening keeps Jest from exiting.
      await server.stop();
      dir.cleanup();
    }

    async function refusedThenTrusted(): Promise<void> {
      try {
        await untrusting.driver.connect();
        await waitFor('refusal reported', () => untrusting.driver.status().detail?.includes('not trusted'));
        expect(untrusting.driver.status().link).toBe(false);
        expect(await untrusting.driver.execute(check(), { offline: { policy: 'fail' } })).toMatchObject({
          status: 'failed',
          error: { code: 'INSTRUMENT_OFFLINE', message: expect.stringContaining('not trusted') },
        });
        const rejected = readdirSync(join(dir.path, 'pki', 'rejected'));
        expect(rejected).toHaveLength(1);
        // An operator moves it to trusted/: the next retry gets in, no restart.
        renameSync(
          join(dir.path, 'pki', 'rejected', rejected[0]!),
          join(dir.path, 'pki', 'trusted', 'certs', rejected[0]!),
        );
        // The driver sees the move on its next retry (10 s apart at most), whether or not node-opcua's folder watcher
        // has noticed it.
        await waitFor('accepted once trusted', () => untrusting.driver.status().link, 60_000);
      } finally {
        await untrusting.close();
        rmSync(join(dir.path, 'pki', 'trusted'), { recursive: true, force: true });
      }
    }

    async function trustedByTheLabFile(): Promise<void> {
      const trusting = opcuaDriver(
        entry(server.url, { security: { ...secure, trust: [server.certificateFile] } }),
        dir.path,
      );
      try {
        await trusting.driver.connect();
        expect(await trusting.driver.execute(check())).toEqual({
          status: 'done',
          result: { status: 'Idle' },
        });
        expect(existsSync(join(dir.path, 'pki', 'own'))).toBe(true);
      } finally {
        await trusting.close();
      }
    }
  }, 150_000);

  it('logs in as the user the lab file names, its password read from a file', async () => {
    const dir = tempDir('labloop-opcua-user-');
    const server = await startReactorServer({
      pkiDir: dir.path,
      user: { username: 'operator', password: 'op-secret' },
    });
    writeFileSync(join(dir.path, 'operator.pw'), 'op-secret\n');
    writeFileSync(join(dir.path, 'wrong.pw'), 'guess\n');
    const good = opcuaDriver(
      entry(server.url, { security: { user: { username: 'operator', passwordFile: 'operator.pw' } } }),
      dir.path,
    );
    const bad = opcuaDriver(
      entry(server.url, { security: { user: { username: 'operator', passwordFile: 'wrong.pw' } } }),
      dir.path,
    );
    try {
      await good.driver.connect();
      await bad.driver.connect();
      expect(await good.driver.execute(check())).toEqual({ status: 'done', result: { status: 'Idle' } });
      await waitFor('login refused', () => bad.driver.status().detail);
      expect(bad.driver.status().link).toBe(false);
    } finally {
      await good.close();
      await bad.close();
      await server.stop();
      dir.cleanup();
    }
  });
});
