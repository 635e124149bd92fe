/**
 * The daemon's OPC UA driver on the simulated syringe pumps, as the SnAr campaign uses them: pump, stop, refill
 * (a LADS program), again and again. Regression test for a race in following a LADS run: a new monitored item on
 * the unit's CurrentState first reports the state it finds — "Stopped", from the previous run — and when that report
 * came after StartProgram (the server's publishing cycle busy with the pumps' live readings) it was taken for the
 * end of the new run, whose Result the device had not written yet: RESULT_MISSING. The driver now takes that first
 * report before it starts the program. Timing-dependent by nature: before the fix about one refill in three failed
 * here, so a few rounds of three pumps catch it.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { SystemClock } from '../../src/common/clock.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import { instrumentSchema } from '../../src/protocol/lab.schema.js';
import { OpcuaInstrumentDriver } from '../../drivers/opcua/opcua-instrument.driver.js';
import { ChemLab } from '../../simulators/chem/chem-lab.js';
import { opcuaInstruments } from '../../simulators/labs/opcua-lab.writer.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const PUMPS = ['pump-a', 'pump-b', 'pump-solvent'];
const SCALE = 60;
const ROUNDS = 6;

describe('LADS programs on the simulated pumps through the OPC UA driver', () => {
  it('refills after every pumping round, each refill with its result', async () => {
    const dir = tempDir('labloop-refill-');
    const anchor = Date.now();
    const clock = new SystemClock(SCALE, anchor);
    const lab = await ChemLab.start({
      clock: new SystemClock(SCALE, anchor),
      seed: 1,
      pkiDir: dir.path,
      only: PUMPS,
      ports: Object.fromEntries(PUMPS.map((id) => [id, 0])),
    });
    const events = new EventBus(clock);
    const specs = opcuaInstruments({ endpoints: lab.endpoints });
    const drivers = PUMPS.map(
      (id) =>
        new OpcuaInstrumentDriver({
          id,
          spec: instrumentSchema.parse(specs[id]),
          clock,
          events,
          transports: {
            mqtt: () => {
              throw new Error('no MQTT here');
            },
          },
          files: { dataDir: dir.path, labPath: (p) => resolve(dir.path, p) },
          replyTimeoutMs: 10 * 60_000,
        }),
    );
    const run = async (d: OpcuaInstrumentDriver, action: string, params: Record<string, unknown> = {}) => {
      const o = await d.execute({
        id: randomUUID(),
        action,
        params,
        deadline: clock.now() + 60 * 60_000,
        timeoutMs: 10 * 60_000,
      });
      return o.status === 'done'
        ? { status: o.status, result: o.result }
        : { status: o.status, error: o.error };
    };
    try {
      for (const d of drivers) await d.connect();
      for (const d of drivers) await waitFor(`${d.id} online`, () => d.status().online, 30_000);
      for (let round = 0; round < ROUNDS; round++) {
        const flows = await Promise.all(drivers.map((d) => run(d, 'set_flow', { flow: 3 })));
        expect(flows.map((f) => f.status)).toEqual(['done', 'done', 'done']);
        await new Promise((r) => setTimeout(r, 2000)); // two lab minutes of pumping
        const stops = await Promise.all(drivers.map((d) => run(d, 'stop')));
        expect(stops.map((s) => s.status)).toEqual(['done', 'done', 'done']);
        const refills = await Promise.all(drivers.map((d) => run(d, 'refill')));
        expect({ round, refills }).toEqual({
          round,
          refills: PUMPS.map(() => ({ status: 'done', result: { volume: expect.any(Number) } })),
        });
      }
    } finally {
      for (const d of drivers) await d.close();
      await lab.stop();
      dir.cleanup();
    }
  }, 120_000);
});
