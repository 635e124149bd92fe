/** Daemon-wide infrastructure: the clock. */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, SystemClock, type Clock } from './clock.js';

@Global()
@Module({})
export class CoreModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return { module: CoreModule, providers: [{ provide: CLOCK, useValue: clock }], exports: [CLOCK] };
  }
}
