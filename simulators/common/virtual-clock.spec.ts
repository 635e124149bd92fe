import { createServer, connect, type Server, type Socket } from 'node:net';
import { sleep } from '../../src/common/clock.js';
import { SeededRandom } from '../../src/common/seeded-random.js';
import { VirtualClock } from './virtual-clock.js';

const HOUR = 3_600_000;
const START = Date.parse('2030-01-01T00:00:00Z');

describe('VirtualClock', () => {
  const clocks: VirtualClock[] = [];
  const make = (o: ConstructorParameters<typeof VirtualClock>[0] = {}): VirtualClock => {
    const c = new VirtualClock({ start: START, ...o });
    clocks.push(c);
    return c;
  };
  afterEach(() => clocks.splice(0).forEach((c) => c.close()));

  it('jumps from timer to timer, in due-time order, when nothing else happens', async () => {
    const clock = make();
    const seen: [string, number][] = [];
    const done = new Promise<void>((resolve) => {
      clock.setTimer(24 * HOUR, () => {
        seen.push(['day', clock.now() - START]);
        resolve();
      });
    });
    clock.setTimer(2 * HOUR, () => seen.push(['two', clock.now() - START]));
    clock.setTimer(HOUR, () => seen.push(['one', clock.now() - START]));
    const cancelled = clock.setTimer(3 * HOUR, () => seen.push(['cancelled', clock.now() - START]));
    cancelled.cancel();
    await done;
    expect(seen).toEqual([
      ['one', HOUR],
      ['two', 2 * HOUR],
      ['day', 24 * HOUR],
    ]);
    expect(clock.stats()).toMatchObject({ fired: 3, pending: 0 });
  });

  it('fires timers due at the same instant in the order they were set', async () => {
    const clock = make();
    const order: number[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 5; i++) clock.setTimer(1000, () => order.push(i));
      clock.setTimer(1000, resolve);
    });
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs a day of sleeps in a chain (await between each) to the exact lab time', async () => {
    const clock = make();
    for (let i = 0; i < 24 * 60; i++) await sleep(clock, 60_000);
    expect(clock.now() - START).toBe(24 * HOUR);
  });

  it('does not move while a message is in flight over a real socket', async () => {
    // An echo server answers after 2 ms of real time; each request races a 1 s lab-time timeout. If the clock
    // jumped while the reply was on its way, the timeout would win.
    const clock = make();
    const server: Server = createServer((s) => s.on('data', (d) => setTimeout(() => s.write(d), 2)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const socket: Socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((r) => socket.once('connect', r));
    let timeouts = 0;
    try {
      for (let i = 0; i < 40; i++) {
        await new Promise<void>((resolve) => {
          const t = clock.setTimer(1000, () => {
            timeouts++;
            resolve();
          });
          socket.once('data', () => {
            t.cancel();
            resolve();
          });
          socket.write(`ping ${i}`);
        });
        // Lab time moves between requests, not during them.
        await sleep(clock, 60_000);
      }
    } finally {
      socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(timeouts).toBe(0);
    expect(clock.now() - START).toBe(40 * 60_000);
  });

  it('holds still through a thousand immediate request/reply round trips over loopback', async () => {
    const clock = make();
    const server: Server = createServer((s) => {
      s.setNoDelay(true);
      s.on('data', (d) => s.write(d));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const socket: Socket = connect((server.address() as { port: number }).port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((r) => socket.once('connect', r));
    let timeouts = 0;
    try {
      for (let i = 0; i < 1000; i++) {
        await new Promise<void>((resolve) => {
          const t = clock.setTimer(1000, () => {
            timeouts++;
            resolve();
          });
          socket.once('data', () => {
            t.cancel();
            resolve();
          });
          socket.write(`${i}`);
        });
        await sleep(clock, 1000);
      }
    } finally {
      socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(timeouts).toBe(0);
  });

  it('gives the same trace for the same seed', async () => {
    const trace = async (): Promise<string[]> => {
      const clock = make({ start: START });
      const rng = new SeededRandom(42);
      const out: string[] = [];
      const workers = [0, 1, 2].map(async (w) => {
        for (let k = 0; k < 20; k++) {
          await sleep(clock, Math.round(rng.uniform(1, 600) * 1000));
          out.push(`${w}@${clock.now() - START}:${rng.int(0, 9)}`);
        }
      });
      await Promise.all(workers);
      return out;
    };
    const a = await trace();
    const b = await trace();
    expect(a).toHaveLength(60);
    expect(b).toEqual(a);
  });

  it('in manual mode moves only when told, firing what falls inside the step', async () => {
    const clock = make({ auto: false });
    const seen: number[] = [];
    clock.setTimer(500, () => seen.push(clock.now() - START));
    clock.setTimer(1500, () => seen.push(clock.now() - START));
    await clock.settle();
    expect(clock.now()).toBe(START);
    expect(seen).toEqual([]);
    await clock.advance(1000);
    expect(seen).toEqual([500]);
    expect(clock.now() - START).toBe(1000);
    await clock.advance(1000);
    expect(seen).toEqual([500, 1500]);
    expect(clock.now() - START).toBe(2000);
  });

  it('stops and fires nothing more once closed', async () => {
    const clock = make();
    let fired = false;
    clock.setTimer(1000, () => (fired = true));
    clock.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBe(false);
  });
});
