/**
 * A driver whose code is loaded when it connects. node-opcua takes a second to import and is needed only by labs
 * with OPC UA instruments: commands such as `labloop validate` or `labloop do` must not pay for it. Until the real
 * driver exists this one reports a link that is down and no readings.
 */
import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import type {
  AbortDelivery,
  CommandOutcome,
  CommandRequest,
  DriverContext,
  DriverFactory,
  ExecuteOptions,
  InstrumentDescription,
  InstrumentDriver,
  InstrumentStatus,
  PendingCommand,
  Reading,
  Reconciliation,
} from './instrument-driver.port.js';

export class DeferredDriver implements InstrumentDriver {
  readonly id: string;
  private inner?: InstrumentDriver;
  private loading?: Promise<InstrumentDriver>;
  private readonly statusSubject = new BehaviorSubject<InstrumentStatus>({ link: false, online: false });
  private readonly readingsSubject = new Subject<Reading>();
  private readonly forwards: Subscription[] = [];

  constructor(
    private readonly ctx: DriverContext,
    private readonly load: () => Promise<DriverFactory>,
  ) {
    this.id = ctx.id;
  }

  get status$(): Observable<InstrumentStatus> {
    return this.statusSubject.asObservable();
  }

  get readings$(): Observable<Reading> {
    return this.readingsSubject.asObservable();
  }

  status(): InstrumentStatus {
    return this.inner?.status() ?? this.statusSubject.value;
  }

  latestReadings(): Reading[] {
    return this.inner?.latestReadings() ?? [];
  }

  describe(): InstrumentDescription | undefined {
    return this.inner?.describe();
  }

  async described(timeoutMs: number): Promise<InstrumentDescription | undefined> {
    return (await this.driver()).described(timeoutMs);
  }

  async connect(): Promise<void> {
    await (await this.driver()).connect();
  }

  async close(): Promise<void> {
    for (const f of this.forwards.splice(0)) f.unsubscribe();
    await this.inner?.close();
    this.statusSubject.complete();
    this.readingsSubject.complete();
  }

  async execute(request: CommandRequest, options?: ExecuteOptions): Promise<CommandOutcome> {
    return (await this.driver()).execute(request, options);
  }

  async abort(target?: string): Promise<AbortDelivery> {
    return (await this.driver()).abort(target);
  }

  async reconcile(command: PendingCommand): Promise<Reconciliation> {
    return (await this.driver()).reconcile(command);
  }

  private driver(): Promise<InstrumentDriver> {
    this.loading ??= this.load().then((factory) => {
      const inner = factory(this.ctx);
      this.forwards.push(
        inner.status$.subscribe((s) => this.statusSubject.next(s)),
        inner.readings$.subscribe((r) => this.readingsSubject.next(r)),
      );
      this.inner = inner;
      return inner;
    });
    return this.loading;
  }
}
