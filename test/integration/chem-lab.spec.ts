/**
 * The simulated chemistry lab through OPC UA: node-opcua clients drive the LADS-shaped pumps, reactor and inline
 * HPLC as an OPC UA driver would — write setpoints, call methods, read live values, start a program and read its
 * Result — on the virtual clock, and check the analysis against the SnAr model. Then the faults, as OPC UA shows
 * them.
 */
import { randomUUID } from 'node:crypto';
import { DataType, StatusCodes } from 'node-opcua';
import { ChemLab } from '../../simulators/chem/chem-lab.js';
import { simulateSnar } from '../../simulators/chem/snar.model.js';
import { VirtualClock } from '../../simulators/common/virtual-clock.js';
import { openSession, type TestSession } from '../helpers/opcua-session.js';
import { tempDir } from '../helpers/temp-dir.js';

const START = Date.parse('2030-01-01T06:00:00Z');
const MIN = 60_000;
const fn = (device: string, unit: string, name: string): string =>
  `${device}/FunctionalUnitSet/${unit}/FunctionSet/${name}`;
const PUMPS = { 'pump-a': 'PumpA', 'pump-b': 'PumpB', 'pump-solvent': 'PumpSolvent' } as const;

describe('simulated chemistry lab over OPC UA', () => {
  const dir = tempDir('labloop-chem-');
  let clock: VirtualClock;
  let lab: ChemLab;
  const sessions: Record<string, TestSession> = {};
  const executed: string[] = [];

  beforeAll(async () => {
    clock = new VirtualClock({ start: START });
    lab = await ChemLab.start({
      clock,
      seed: 5,
      pkiDir: dir.path,
      ports: Object.fromEntries(['pump-a', 'pump-b', 'pump-solvent', 'reactor', 'hplc'].map((id) => [id, 0])),
      onExecute: (instrument, id, action) => executed.push(`${instrument} ${action} ${id}`),
    });
    for (const [id, url] of Object.entries(lab.endpoints))
      sessions[id] = await openSession(url, dir.path, { requestTimeoutMs: 5000 });
  }, 120_000);
  afterAll(async () => {
    for (const s of Object.values(sessions)) await s.close();
    await lab.stop();
    clock.close();
    dir.cleanup();
  });

  const s = (id: string): TestSession => sessions[id]!;
  const value = async (id: string, nodeId: string): Promise<number> =>
    (await s(id).read(nodeId)).value as number;
  const setFlows = async (tau: number, eq: number, a: number): Promise<void> => {
    const q = 5 / tau;
    const qa = (a / 2.0) * q;
    const qb = ((eq * a) / 4.2) * q;
    for (const [id, flow] of [
      ['pump-a', qa],
      ['pump-b', qb],
      ['pump-solvent', q - qa - qb],
    ] as const) {
      const device = PUMPS[id];
      expect((await s(id).write(`${fn(device, 'Pump', 'FlowRate')}/TargetValue`, flow)).name).toBe('Good');
      const started = await s(id).call(`${fn(device, 'Pump', 'FlowRate')}/ControlFunctionState/Start`);
      expect(started.status.name).toBe('Good');
    }
  };

  it('exposes LADS devices under the DI DeviceSet, with live values and state machines', async () => {
    const model = await s('reactor').read('FlowReactor/Model');
    expect(model.status.name).toBe('Good');
    expect(JSON.stringify(model.value)).toContain('HeatedCoilReactor');
    const state = await s('hplc').read('InlineHPLC/FunctionalUnitSet/HPLC/FunctionalUnitState/CurrentState');
    expect(JSON.stringify(state.value)).toContain('Stopped');
    expect(await value('reactor', `${fn('FlowReactor', 'Reactor', 'Temperature')}/CurrentValue`)).toBeCloseTo(
      25,
      0,
    );
    expect(await value('pump-a', `${fn('PumpA', 'Pump', 'SyringeVolume')}/SensorValue`)).toBe(50);
    expect(await value('reactor', 'FlowReactor/FunctionalUnitSet/Reactor/ReactorVolume')).toBe(5);
  });

  it('heats the reactor with a first-order lag, runs the flows, and the HPLC finds the SnAr outcome', async () => {
    const heat = await s('reactor').call(
      `${fn('FlowReactor', 'Reactor', 'Temperature')}/ControlFunctionState/StartWithTargetValue`,
      [{ dataType: DataType.Double, value: 100 }],
    );
    expect(heat.status.name).toBe('Good');
    await clock.advance(3 * MIN);
    const afterTau = await value('reactor', `${fn('FlowReactor', 'Reactor', 'Temperature')}/CurrentValue`);
    expect(afterTau).toBeGreaterThan(25 + 0.6 * 75);
    expect(afterTau).toBeLessThan(25 + 0.66 * 75);
    await clock.advance(20 * MIN);
    expect(await value('reactor', `${fn('FlowReactor', 'Reactor', 'Temperature')}/CurrentValue`)).toBeCloseTo(
      100,
      0,
    );

    await setFlows(1, 2, 0.3);
    expect(
      await value('reactor', `${fn('FlowReactor', 'Reactor', 'ResidenceTime')}/SensorValue`),
    ).toBeCloseTo(1, 6);
    await clock.advance(4 * MIN); // four residence times: steady state
    const taskId = randomUUID();
    const started = await s('hplc').startProgram(
      'InlineHPLC/FunctionalUnitSet/HPLC',
      'Analyze',
      'experiment-1',
      taskId,
    );
    expect(started.status.name).toBe('Good');
    // The same task id again is the same run, never a second injection.
    expect(
      (await s('hplc').startProgram('InlineHPLC/FunctionalUnitSet/HPLC', 'Analyze', 'experiment-1', taskId))
        .runId,
    ).toBe(started.runId);
    await clock.advance(10 * MIN);
    const state = await s('hplc').read('InlineHPLC/FunctionalUnitSet/HPLC/FunctionalUnitState/CurrentState');
    expect(JSON.stringify(state.value)).toContain('Stopped');
    const result = `InlineHPLC/FunctionalUnitSet/HPLC/ProgramManager/ResultSet/${started.runId}`;
    expect((await s('hplc').read(`${result}/SupervisoryTaskId`)).value).toBe(taskId);
    const conc = async (name: string): Promise<number> => value('hplc', `${result}/VariableSet/Conc_${name}`);
    const expected = simulateSnar({
      residenceTimeMin: 1,
      equivalents: 2,
      concentrationM: 0.3,
      temperatureC: 100,
    });
    const ortho = await conc('ortho');
    expect(ortho / expected.concentrations[2]).toBeGreaterThan(0.97);
    expect(ortho / expected.concentrations[2]).toBeLessThan(1.03);
    expect((await conc('bis')) / expected.concentrations[4]).toBeCloseTo(1, 1);
    // Arrays (Time, Signal, PeakAreas…) are checked against a separate process in test/e2e/sim-command.spec.ts:
    // inside Jest's VM context node-opcua cannot encode Double arrays (its ArrayBuffer check sees two realms).
    expect(await s('hplc').read(`${result}/VariableSet/Outcome`)).toMatchObject({ value: 'Completed' });
    expect(executed.filter((e) => e.startsWith('hplc analyze'))).toEqual([`hplc analyze ${taskId}`]);
  });

  it('runs a syringe dry (the pump stops and says so) and refills it', async () => {
    // pump-solvent delivers ~3.5 mL/min from 50 mL: after a while it is empty.
    await clock.advance(20 * MIN);
    expect(await value('pump-solvent', `${fn('PumpSolvent', 'Pump', 'SyringeVolume')}/SensorValue`)).toBe(0);
    const st = await s('pump-solvent').read(
      `${fn('PumpSolvent', 'Pump', 'FlowRate')}/ControlFunctionState/CurrentState`,
    );
    expect(JSON.stringify(st.value)).toContain('Stopped');
    expect(await value('pump-solvent', `${fn('PumpSolvent', 'Pump', 'FlowRate')}/CurrentValue`)).toBe(0);
    for (const id of Object.keys(PUMPS))
      await s(id).call(
        `${fn(PUMPS[id as keyof typeof PUMPS], 'Pump', 'FlowRate')}/ControlFunctionState/Stop`,
      );
    const refill = await s('pump-solvent').startProgram(
      'PumpSolvent/FunctionalUnitSet/Pump',
      'Refill',
      'maintenance',
      randomUUID(),
    );
    expect(refill.status.name).toBe('Good');
    await clock.advance(5 * MIN);
    expect(await value('pump-solvent', `${fn('PumpSolvent', 'Pump', 'SyringeVolume')}/SensorValue`)).toBe(50);
  });

  it('refuses out-of-range setpoints and unknown programs', async () => {
    expect((await s('pump-a').write(`${fn('PumpA', 'Pump', 'FlowRate')}/TargetValue`, 99)).name).toBe(
      'BadOutOfRange',
    );
    const r = await s('hplc').startProgram(
      'InlineHPLC/FunctionalUnitSet/HPLC',
      'Teleport',
      'x',
      randomUUID(),
    );
    expect(r.status).toBe(StatusCodes.BadInvalidArgument);
  });
});
