/**
 * A small real LADS device for driver tests, built from the LADS nodeset node-opcua ships: one LADSDevice "Reader"
 * under DeviceSet with a FunctionalUnit "ReaderUnit" that runs the program template "Kinetic". StartProgram creates
 * the run's Result (with our SupervisoryJobId/TaskId) in the ResultSet, goes Running with ActiveProgram runtime
 * updates, then adds a `Rate` result variable, sets Stopped and returns to Stopped. Abort goes Aborted; Clear
 * back to Stopped. Loading the nodesets takes a few seconds: start one per test file.
 */
import { join } from 'node:path';
import {
  DataType,
  nodesets,
  OPCUACertificateManager,
  OPCUAServer,
  promoteToStateMachine,
  StatusCodes,
  Variant,
  type UAObject,
  type UAVariable,
} from 'node-opcua';

export interface LadsRunRecord {
  runId: string;
  template: string;
  properties: Record<string, string>;
  jobId: string;
  taskId: string;
}

export interface LadsServer {
  url: string;
  port: number;
  /** Every StartProgram the device accepted, in order. */
  runs: LadsRunRecord[];
  /**
   * Runs end without a state change: the result gets its values and Stopped time, but the unit's state stays Running
   * (a device whose state notification never comes). `settle()` puts the unit back in Stopped.
   */
  silentEnd: boolean;
  settle(): void;
  stop(): Promise<void>;
}

export const LADS_UNIT_PATH = '/DeviceSet/Reader/FunctionalUnitSet/ReaderUnit';

export async function startLadsServer(o: {
  pkiDir: string;
  port?: number;
  runtimeMs?: number;
}): Promise<LadsServer> {
  const pki = (name: string): OPCUACertificateManager =>
    new OPCUACertificateManager({
      rootFolder: join(o.pkiDir, name),
      automaticallyAcceptUnknownCertificate: true,
    });
  const server = new OPCUAServer({
    port: o.port ?? 0,
    serverCertificateManager: pki('server'),
    userCertificateManager: pki('server-users'),
    nodeset_filename: [
      nodesets.standard,
      nodesets.di,
      nodesets.amb,
      nodesets.ia,
      nodesets.machinery,
      nodesets.lads,
    ],
  });
  await server.initialize();
  const space = server.engine.addressSpace;
  if (!space) throw new Error('no address space');
  const lads = space.getNamespace('http://opcfoundation.org/UA/LADS/');
  const di = space.getNamespace('http://opcfoundation.org/UA/DI/');
  const type = (name: string) => {
    const t = lads.findObjectType(name);
    if (!t) throw new Error(`no LADS type ${name}`);
    return t;
  };
  const deviceSet = space.findNode(`ns=${di.index};i=5001`) as UAObject;
  const device = type('LADSDeviceType').instantiate({ browseName: 'Reader', organizedBy: deviceSet });
  const unit = type('FunctionalUnitType').instantiate({
    browseName: 'ReaderUnit',
    componentOf: child(device, 'FunctionalUnitSet'),
    optionals: [
      'ProgramManager',
      'ProgramManager.ActiveProgram.CurrentRuntime',
      'ProgramManager.ActiveProgram.EstimatedRuntime',
      'ProgramManager.ActiveProgram.DeviceProgramRunId',
      'FunctionalUnitState.StartProgram',
      'FunctionalUnitState.Abort',
      'FunctionalUnitState.Clear',
    ],
  });
  const pm = child(unit, 'ProgramManager');
  const active = child(pm, 'ActiveProgram');
  const resultSet = child(pm, 'ResultSet');
  const template = type('ProgramTemplateType').instantiate({
    browseName: 'Kinetic',
    componentOf: child(pm, 'ProgramTemplateSet'),
  });
  (child(template, 'DeviceTemplateId') as unknown as UAVariable).setValueFromSource({
    dataType: DataType.String,
    value: 'Kinetic',
  });
  const smNode = child(unit, 'FunctionalUnitState');
  const sm = promoteToStateMachine(smNode);
  sm.setState('Stopped');
  const set = (node: UAObject, name: string, dataType: DataType, value: unknown): void =>
    (child(node, name) as unknown as UAVariable).setValueFromSource({ dataType, value });

  const runs: LadsRunRecord[] = [];
  const handle: LadsServer = {
    url: '',
    port: 0,
    runs,
    silentEnd: false,
    settle: () => sm.setState('Stopped'),
    stop: async () => {
      clearInterval(timer);
      await server.shutdown(0);
    },
  };
  const runtime = o.runtimeMs ?? 400;
  let timer: NodeJS.Timeout | undefined;
  const finish = (result: UAObject, temperature: number): void => {
    space.getOwnNamespace().addVariable({
      componentOf: child(result, 'VariableSet'),
      browseName: 'Rate',
      dataType: 'Double',
      value: { dataType: DataType.Double, value: 2 * temperature },
    });
    set(result, 'Stopped', DataType.DateTime, new Date());
    if (!handle.silentEnd) return sm.setState('Stopped');
    set(active, 'DeviceProgramRunId', DataType.String, '');
  };
  bind(smNode, 'StartProgram', (args) => {
    if (!sm.getCurrentState()?.includes('Stopped')) return { statusCode: StatusCodes.BadInvalidState };
    const props = (args[1]?.value ?? []) as { key: string; value: string }[];
    const record: LadsRunRecord = {
      runId: `Run-${runs.length + 1}`,
      template: args[0]?.value as string,
      properties: Object.fromEntries(props.map((p) => [p.key, p.value])),
      jobId: args[2]?.value as string,
      taskId: args[3]?.value as string,
    };
    if (record.template !== 'Kinetic') return { statusCode: StatusCodes.BadInvalidArgument };
    runs.push(record);
    const result = type('ResultType').instantiate({
      browseName: record.runId,
      componentOf: resultSet,
      optionals: [
        'SupervisoryJobId',
        'SupervisoryTaskId',
        'DeviceProgramRunId',
        'Started',
        'Stopped',
        'VariableSet',
      ],
    });
    set(result, 'SupervisoryJobId', DataType.String, record.jobId);
    set(result, 'SupervisoryTaskId', DataType.String, record.taskId);
    set(result, 'DeviceProgramRunId', DataType.String, record.runId);
    set(result, 'Started', DataType.DateTime, new Date());
    set(active, 'DeviceProgramRunId', DataType.String, record.runId);
    set(active, 'EstimatedRuntime', DataType.Double, runtime);
    sm.setState('Running');
    const t0 = Date.now();
    timer = setInterval(() => {
      const t = Date.now() - t0;
      set(active, 'CurrentRuntime', DataType.Double, Math.min(t, runtime));
      if (t < runtime) return;
      clearInterval(timer);
      finish(result, Number(record.properties['temperature'] ?? 0));
    }, 50);
    return {
      statusCode: StatusCodes.Good,
      outputArguments: [new Variant({ dataType: DataType.String, value: record.runId })],
    };
  });
  bind(smNode, 'Abort', () => {
    clearInterval(timer);
    sm.setState('Aborted');
    return { statusCode: StatusCodes.Good };
  });
  bind(smNode, 'Clear', () => {
    sm.setState('Stopped');
    return { statusCode: StatusCodes.Good };
  });
  await server.start();
  const port = server.endpoints[0]?.port ?? 0;
  Object.assign(handle, { url: `opc.tcp://127.0.0.1:${port}`, port });
  return handle;
}

function child(node: UAObject, name: string): UAObject {
  const c = node.getChildByName(name);
  if (!c) throw new Error(`${node.browseName.toString()} has no ${name}`);
  return c as UAObject;
}

type MethodResult = { statusCode: (typeof StatusCodes)['Good']; outputArguments?: Variant[] };

function bind(node: UAObject, name: string, fn: (args: Variant[]) => MethodResult): void {
  const m = node.getMethodByName(name);
  if (!m) throw new Error(`no method ${name}`);
  m.bindMethod(async (args: Variant[], _context: unknown) => {
    try {
      return fn(args);
    } catch (e) {
      process.stderr.write(`LADS ${name}: ${(e as Error).stack}\n`);
      throw e;
    }
  });
}
