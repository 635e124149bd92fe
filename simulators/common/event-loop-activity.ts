/**
 * Is this process idle? The virtual clock may only jump ahead when nothing is under way:
 * - no callback ran (socket data, timers, immediates, nextTicks, promise reactions — counted by an async hook);
 * - no one-shot request is in flight (a connect, a write not yet flushed, a file-system, DNS or crypto job);
 * - no one-shot real timer is due soon (a library that defers work with setTimeout(fn, 5) is still busy; repeating
 *   timers such as keep-alives and pollers are not, or the clock would never move).
 *
 * Why this is enough for loopback sockets in one process: libuv writes synchronously when the socket can take the
 * data, and the kernel hands loopback data to the receiving socket before the write returns; the next poll (every
 * loop turn) then runs the receiver's callback, which counts as activity. A short real settle interval on top
 * covers the rare case where the kernel defers delivery to a softirq thread.
 */
import { createHook, type AsyncHook } from 'node:async_hooks';

/**
 * One-shot libuv requests and thread-pool jobs: while one is listed, work is under way that will end in a callback.
 * Long-lived handles (sockets, servers, timers, open files) only wait and do not count.
 */
const IN_FLIGHT =
  /ReqWrap$|ReqCallback$|ReqPromise$|^ConnectWrap$|^ShutdownWrap$|^WriteWrap$|^SendWrap$|Job$|^Zlib/;

/** The fields of Node's Timeout objects read here (internal but stable since Node 11). */
interface TimeoutInternals {
  _idleStart: number;
  _idleTimeout: number;
  _repeat: number | null;
  _destroyed: boolean;
}

let callbacks = 0;
let counterUsers = 0;
let counter: AsyncHook | undefined;
let timerUsers = 0;
let timerHook: AsyncHook | undefined;
const timers = new Set<TimeoutInternals>();

export interface ActivityWatch {
  /** Also track real one-shot timers (costs an init hook on every async resource, promises included). */
  realTimers?: boolean;
}

/** Starts counting callbacks; returns the function that ends this user's interest. */
export function watchActivity(o: ActivityWatch = {}): () => void {
  counterUsers++;
  if (!counter) {
    counter = createHook({
      before() {
        callbacks++;
      },
    });
    counter.enable();
  }
  const withTimers = o.realTimers === true;
  if (withTimers) {
    timerUsers++;
    if (!timerHook) {
      timerHook = createHook({
        init(_id, type, _trigger, resource) {
          if (type !== 'Timeout') return;
          timers.add(resource as TimeoutInternals);
          if (timers.size > 4096) prune();
        },
      });
      timerHook.enable();
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--counterUsers === 0) {
      counter?.disable();
      counter = undefined;
    }
    if (withTimers && --timerUsers === 0) {
      timerHook?.disable();
      timerHook = undefined;
      timers.clear();
    }
  };
}

/** Callbacks run so far (only counts while someone watches). */
export function callbackCount(): number {
  return callbacks;
}

/** A request is in flight: a connect, an unflushed write, a thread-pool job. */
export function requestsInFlight(): boolean {
  return process.getActiveResourcesInfo().some((type) => IN_FLIGHT.test(type));
}

/** A one-shot real timer (tracked since watchActivity({ realTimers: true })) fires within `horizonMs`. */
export function realTimerDueWithin(horizonMs: number): boolean {
  if (timers.size === 0) return false;
  prune();
  if (timers.size === 0) return false;
  const now = libuvNow();
  for (const t of timers) {
    if (t._repeat === null && t._idleStart + t._idleTimeout - now <= horizonMs) return true;
  }
  return false;
}

function prune(): void {
  for (const t of timers) if (t._destroyed) timers.delete(t);
}

/** The event loop's own millisecond clock, in which Timeout._idleStart is written. */
function libuvNow(): number {
  const probe = setTimeout(noop, 1 << 30) as unknown as TimeoutInternals;
  const now = probe._idleStart;
  clearTimeout(probe as unknown as NodeJS.Timeout);
  timers.delete(probe);
  return now;
}

function noop(): void {}
