/** First come, first served access to an instrument that serves `capacity` commands at once. */
export class InstrumentLock {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly capacity = 1) {}

  /** Resolves with the release function once a slot is free; a released slot passes straight to the next waiter. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.capacity && this.waiters.length === 0) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
    return this.releaser();
  }

  get queued(): number {
    return this.waiters.length;
  }

  get inUse(): number {
    return this.active;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}
