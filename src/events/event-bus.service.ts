/**
 * The typed event bus. Emitting never fails because of a listener: each listener is isolated, and one that throws
 * is logged and left subscribed. Listeners are removed on shutdown.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { filter, Subject, type Observable, type Subscription } from 'rxjs';
import { CLOCK, type Clock } from '../common/clock.js';
import { describeError } from '../common/lab-error.js';
import type { EventMap, EventType, LabEvent } from './event-map.js';

@Injectable()
export class EventBus implements OnApplicationShutdown {
  private readonly logger = new Logger('events');
  private readonly subject = new Subject<LabEvent>();
  private readonly subscriptions = new Set<Subscription>();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** Every event, as it happens. */
  get events$(): Observable<LabEvent> {
    return this.subject.asObservable();
  }

  emit<K extends EventType>(type: K, data: EventMap[K], ts = this.clock.now()): void {
    this.publish({ type, ts, data });
  }

  publish(event: LabEvent): void {
    this.subject.next(event);
  }

  /** Subscribes `listener` to one event type; returns the function that unsubscribes it. */
  on<K extends EventType>(type: K, listener: (data: EventMap[K], event: LabEvent<K>) => void): () => void {
    return this.onAny((e) => {
      if (e.type === type) listener(e.data as EventMap[K], e as LabEvent<K>);
    });
  }

  onAny(listener: (event: LabEvent) => void): () => void {
    const sub = this.subject.pipe(filter(() => true)).subscribe((e) => {
      try {
        listener(e);
      } catch (err) {
        this.logger.error(`listener for ${e.type} failed: ${describeError(err)}`);
      }
    });
    this.subscriptions.add(sub);
    return () => {
      sub.unsubscribe();
      this.subscriptions.delete(sub);
    };
  }

  onApplicationShutdown(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions.clear();
  }
}
