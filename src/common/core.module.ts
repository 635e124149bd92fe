/** Daemon-wide infrastructure: the clock. */
import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CLOCK, SystemClock, type Clock } from './clock.js';

const CLOCK_OWNED = Symbol('labloop.clock-owned');

/** Closes a clock the app created itself (a virtual clock stops moving time) once everything else has stopped. */
@Injectable()
class ClockLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLOCK_OWNED) private readonly owned: boolean,
  ) {}

  onApplicationShutdown(): void {
    if (this.owned) (this.clock as Partial<{ close(): void }>).close?.();
  }
}

@Global()
@Module({})
export class CoreModule {
  /** `owned`: the app created this clock and closes it at shutdown. */
  static forRoot(clock: Clock = new SystemClock(), o: { owned?: boolean } = {}): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CLOCK, useValue: clock },
        { provide: CLOCK_OWNED, useValue: o.owned ?? false },
        ClockLifecycle,
      ],
      exports: [CLOCK],
    };
  }
}
