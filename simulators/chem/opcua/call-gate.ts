/**
 * Applies an instrument's faults to OPC UA method calls — the OPC UA counterpart of what MqttSimInstrument does
 * with commands. A swallowed call never returns (the client times out); a late one returns late; an error is a Bad
 * status (OPC UA carries no message: BadDeviceFailure for a failure, BadInvalidState for a refusal or a clog);
 * garbage comes back as output arguments of the wrong type; a stuck call is accepted and then never finishes.
 */
import { DataType, StatusCodes, Variant, type CallMethodResultOptions } from 'node-opcua';
import { sleep, type Clock } from '../../../src/common/clock.js';
import { garbagePayload } from '../../common/fault-effects.js';
import type { InstrumentFaults } from '../../common/instrument-faults.js';
import { SimActionError } from '../../common/sim-model.js';

export interface GateContext {
  /** A stuck fault hit this call: the device accepts it and then never completes it. */
  stuck: boolean;
}

export class CallGate {
  private garbageSent = 0;

  constructor(
    private readonly clock: Clock,
    private readonly faults?: InstrumentFaults,
    /** Called for every call that runs (the audit of executed commands). */
    private readonly onExecute?: (commandId: string, action: string) => void,
  ) {}

  async call(
    action: string,
    commandId: string,
    fn: (ctx: GateContext) => Promise<CallMethodResultOptions> | CallMethodResultOptions,
  ): Promise<CallMethodResultOptions> {
    const effects = this.faults?.onCommand(action) ?? [];
    let garbage = false;
    let stuck = false;
    for (const e of effects) {
      switch (e.kind) {
        case 'drop':
          return new Promise<CallMethodResultOptions>(() => undefined);
        case 'late':
          await sleep(this.clock, e.delayMs);
          break;
        case 'error':
          return {
            statusCode: e.status === 'rejected' ? StatusCodes.BadInvalidState : StatusCodes.BadDeviceFailure,
          };
        case 'garbage':
          garbage = true;
          break;
        case 'stuck':
          stuck = true;
          break;
      }
    }
    if (this.faults?.blockedBy(action)) return { statusCode: StatusCodes.BadInvalidState };
    this.onExecute?.(commandId, action);
    let result: CallMethodResultOptions;
    try {
      result = await fn({ stuck });
    } catch (e) {
      if (e instanceof SimActionError)
        return {
          statusCode: e.code === 'OUT_OF_RANGE' ? StatusCodes.BadOutOfRange : StatusCodes.BadInvalidState,
        };
      throw e;
    }
    if (result.statusCode === undefined || result.statusCode === StatusCodes.Good)
      this.faults?.onActionDone(action);
    if (garbage)
      return {
        statusCode: StatusCodes.Good,
        outputArguments: [
          new Variant({ dataType: DataType.String, value: garbagePayload(this.garbageSent++) }),
        ],
      };
    return result;
  }

  /** The bias a drift fault adds to a reading. */
  bias(reading: string): number {
    return this.faults?.bias(reading) ?? 0;
  }

  /** Readings are garbage right now. */
  get garbageReadings(): boolean {
    return this.faults?.garbageTelemetry() ?? false;
  }
}
