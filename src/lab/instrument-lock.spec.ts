import { InstrumentLock } from './instrument-lock.js';

describe('InstrumentLock', () => {
  it('serves one holder at a time, first come first served', async () => {
    const lock = new InstrumentLock(1);
    const order: string[] = [];
    const first = await lock.acquire();
    const second = lock.acquire().then((release) => {
      order.push('second');
      return release;
    });
    const third = lock.acquire().then((release) => {
      order.push('third');
      release();
    });
    expect(lock.queued).toBe(2);
    order.push('first');
    first();
    (await second)();
    await third;
    expect(order).toEqual(['first', 'second', 'third']);
    expect(lock.inUse).toBe(0);
  });

  it('never exceeds its capacity, even when a newcomer arrives as a slot is handed over', async () => {
    const lock = new InstrumentLock(2);
    let inside = 0;
    let most = 0;
    const work = async (): Promise<void> => {
      const release = await lock.acquire();
      inside++;
      most = Math.max(most, inside);
      await Promise.resolve();
      inside--;
      release();
    };
    await Promise.all(Array.from({ length: 50 }, work));
    expect(most).toBe(2);
    expect(lock.inUse).toBe(0);
  });

  it('lets a waiter give up through its signal', async () => {
    const lock = new InstrumentLock(1);
    const held = await lock.acquire();
    const controller = new AbortController();
    const waiting = lock.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(lock.queued).toBe(0);
    held();
    const again = await lock.acquire();
    again();
  });
});
