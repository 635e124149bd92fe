/**
 * Fault injection on the chemistry lab, as an OPC UA client sees it: a server that drops off the network and comes
 * back, a late call, a call that never returns, a Bad status, garbage outputs and readings, a drifting sensor, a clog
 * that trips the pumps until the line is flushed, and a program stuck in Stopping until the unit is cleared.
 */
import { randomUUID } from 'node:crypto';
import { DataType } from 'node-opcua';
import { ChemLab } from '../../simulators/chem/chem-lab.js';
import { VirtualClock } from '../../simulators/common/virtual-clock.js';
import { openSession, type TestSession } from '../helpers/opcua-session.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const MIN = 60_000;
const PUMP = 'PumpA/FunctionalUnitSet/Pump';
const FLOW = `${PUMP}/FunctionSet/FlowRate`;
const TEMP = 'FlowReactor/FunctionalUnitSet/Reactor/FunctionSet/Temperature';
const HPLC = 'InlineHPLC/FunctionalUnitSet/HPLC';

describe('fault injection over OPC UA', () => {
  const dir = tempDir('labloop-chem-faults-');
  let clock: VirtualClock;
  let lab: ChemLab;
  const s: Record<string, TestSession> = {};

  beforeAll(async () => {
    clock = new VirtualClock({ start: Date.parse('2030-01-01T00:00:00Z') });
    lab = await ChemLab.start({
      clock,
      seed: 3,
      pkiDir: dir.path,
      only: ['pump-a', 'reactor', 'hplc'],
      ports: { 'pump-a': 0, reactor: 0, hplc: 0 },
    });
    for (const [id, url] of Object.entries(lab.endpoints))
      s[id] = await openSession(url, dir.path, { requestTimeoutMs: 3000 });
  }, 120_000);
  afterAll(async () => {
    for (const x of Object.values(s)) await x.close();
    await lab.stop();
    clock.close();
    dir.cleanup();
  });
  const faults = (id: string) => lab.instrument(id).faults;
  const state = async (path: string): Promise<string> => JSON.stringify((await s['hplc']!.read(path)).value);

  it('error, late and silent calls: a Bad status, a slow answer, no answer', async () => {
    faults('reactor').inject({ instrument: 'reactor', fault: 'error', on: { action: 'heat' } });
    const heat = () =>
      s['reactor']!.call(`${TEMP}/ControlFunctionState/StartWithTargetValue`, [
        { dataType: DataType.Double, value: 60 },
      ]);
    expect((await heat()).status.name).toBe('BadDeviceFailure');
    expect((await heat()).status.name).toBe('Good');

    faults('reactor').inject({
      instrument: 'reactor',
      fault: 'late',
      on: { action: 'cool' },
      delay: '2 min',
    });
    const t = clock.now();
    expect((await s['reactor']!.call(`${TEMP}/ControlFunctionState/Stop`)).status.name).toBe('Good');
    expect(clock.now() - t).toBeGreaterThanOrEqual(2 * MIN);

    faults('reactor').inject({ instrument: 'reactor', fault: 'silent', on: { action: 'heat' } });
    await expect(heat()).rejects.toThrow(/timed out|Transaction/i);
    expect((await heat()).status.name).toBe('Good');
  });

  it('garbage: outputs of the wrong type, and readings that are not numbers', async () => {
    faults('hplc').inject({ instrument: 'hplc', fault: 'garbage', on: { action: 'flush' } });
    const flush = await s['hplc']!.startProgram(HPLC, 'Flush', 'job', randomUUID());
    expect(flush.status.name).toBe('Good');
    expect(typeof flush.runId).toBe('string');
    expect(flush.runId).not.toMatch(/^Flush-\d+$/);
    faults('reactor').inject({ instrument: 'reactor', fault: 'garbage', target: 'telemetry', for: '1 min' });
    expect((await s['reactor']!.read(`${TEMP}/CurrentValue`)).value).toBeNaN();
    await clock.advance(2 * MIN);
    expect(Number.isFinite((await s['reactor']!.read(`${TEMP}/CurrentValue`)).value)).toBe(true);
    await clock.advance(5 * MIN); // let the flush run end
  });

  it('drift: the reactor thermometer reads a growing bias', async () => {
    const read = async (): Promise<number> =>
      (await s['reactor']!.read(`${TEMP}/CurrentValue`)).value as number;
    const before = await read();
    faults('reactor').inject({ instrument: 'reactor', fault: 'drift', reading: 'Temperature', rate: 1 });
    await clock.advance(3 * 60 * MIN);
    expect((await read()) - before).toBeGreaterThan(2.5);
  });

  it('clog: running pumps trip on overpressure and refuse to start until the line is flushed', async () => {
    await s['pump-a']!.write(`${FLOW}/TargetValue`, 2);
    expect((await s['pump-a']!.call(`${FLOW}/ControlFunctionState/Start`)).status.name).toBe('Good');
    faults('pump-a').inject({ instrument: 'pump-a', fault: 'clog', clearedBy: 'flush' });
    await clock.advance(MIN);
    expect((await s['pump-a']!.read(`${FLOW}/CurrentValue`)).value).toBe(0);
    expect((await s['pump-a']!.read(`${PUMP}/FunctionSet/Pressure/SensorValue`)).value).toBeLessThan(3);
    expect((await s['pump-a']!.call(`${FLOW}/ControlFunctionState/Start`)).status.name).toBe(
      'BadInvalidState',
    );
    expect((await s['pump-a']!.startProgram(PUMP, 'Flush', 'maintenance', randomUUID())).status.name).toBe(
      'Good',
    );
    await clock.advance(3 * MIN);
    expect((await s['pump-a']!.call(`${FLOW}/ControlFunctionState/Start`)).status.name).toBe('Good');
    expect((await s['pump-a']!.read(`${FLOW}/CurrentValue`)).value).toBeGreaterThan(1.9);
    await s['pump-a']!.call(`${FLOW}/ControlFunctionState/Stop`);
  });

  it('stuck: a program hangs, Stop leaves it in Stopping, Clear resets the unit', async () => {
    faults('hplc').inject({
      instrument: 'hplc',
      fault: 'stuck',
      on: { action: 'analyze' },
      clearedBy: 'clear',
    });
    const run = await s['hplc']!.startProgram(HPLC, 'Analyze', 'job', randomUUID());
    expect(run.status.name).toBe('Good');
    await clock.advance(30 * MIN);
    expect(await state(`${HPLC}/FunctionalUnitState/CurrentState`)).toContain('Running');
    expect((await s['hplc']!.call(`${HPLC}/FunctionalUnitState/Stop`)).status.name).toBe('Good');
    await clock.advance(10 * MIN);
    expect(await state(`${HPLC}/FunctionalUnitState/CurrentState`)).toContain('Stopping');
    expect((await s['hplc']!.call(`${HPLC}/FunctionalUnitState/Clear`)).status.name).toBe('Good');
    expect(await state(`${HPLC}/FunctionalUnitState/CurrentState`)).toContain('Stopped');
    const outcome = await s['hplc']!.read(
      `${HPLC}/ProgramManager/ResultSet/${run.runId}/VariableSet/Outcome`,
    );
    expect(outcome.value).toMatch(/^Aborted/);
  });

  it('offline: the server drops every client and refuses connections, then comes back', async () => {
    faults('hplc').inject({ instrument: 'hplc', fault: 'offline', for: '10 min' });
    await waitFor('the HPLC to be unreachable', async () =>
      s['hplc']!.read(`${HPLC}/FunctionalUnitState/CurrentState`).then(
        () => false,
        () => true,
      ),
    );
    await clock.advance(11 * MIN);
    await waitFor(
      'the client to reconnect',
      async () =>
        s['hplc']!.read(`${HPLC}/FunctionalUnitState/CurrentState`).then(
          (r) => r.status.name === 'Good',
          () => false,
        ),
      60_000,
      200,
    );
    expect(
      faults('hplc')
        .log.filter((e) => e.fault === 'offline')
        .map((e) => e.event),
    ).toEqual(['triggered', 'ended']);
  });
});
