/**
 * A small real OPC UA server for driver tests: a "reactor" with a writable setpoint (EURange 0..200 degC), a
 * temperature that follows it with a first-order lag, a status text, and methods Start, Stop and Add(a, b). Port 0
 * (or a given port, to restart on the same one); certificates in the given folder, never ~/.config.
 */
import { join } from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
  type Namespace,
  type UAObject,
  type UAVariable,
} from 'node-opcua';

export interface ReactorServer {
  server: OPCUAServer;
  url: string;
  port: number;
  /** Method calls and writes the server executed, in order (`Start`, `Stop`, `Add`, `write Setpoint=…`). */
  log: string[];
  state: { setpoint: number; temperature: number; status: string };
  /** The server's own certificate file (PEM), for lab files that trust it. */
  certificateFile: string;
  stop(): Promise<void>;
}

export interface ReactorServerOptions {
  pkiDir: string;
  port?: number;
  /** Secure endpoints only (Sign, SignAndEncrypt with Basic256Sha256). */
  secureOnly?: boolean;
  /** Lag time constant of the temperature, ms. */
  tauMs?: number;
  /** Only this user may log in (no anonymous sessions). */
  user?: { username: string; password: string };
}

export const REACTOR_NS = 'urn:labloop:test:reactor';

export async function startReactorServer(o: ReactorServerOptions): Promise<ReactorServer> {
  const pki = (name: string): OPCUACertificateManager =>
    new OPCUACertificateManager({
      rootFolder: join(o.pkiDir, name),
      automaticallyAcceptUnknownCertificate: true,
    });
  const server = new OPCUAServer({
    port: o.port ?? 0,
    serverCertificateManager: pki('server'),
    userCertificateManager: pki('server-users'),
    ...(o.user
      ? {
          allowAnonymous: false,
          userManager: {
            isValidUser: (u: string, p: string) => u === o.user?.username && p === o.user.password,
          },
        }
      : {}),
    ...(o.secureOnly
      ? {
          securityModes: [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
          securityPolicies: [SecurityPolicy.Basic256Sha256],
        }
      : {}),
  });
  await server.initialize();
  const space = server.engine.addressSpace;
  if (!space) throw new Error('no address space');
  const ns = space.registerNamespace(REACTOR_NS);
  const log: string[] = [];
  const state = { setpoint: 20, temperature: 20, status: 'Idle' };
  const reactor = ns.addObject({
    organizedBy: space.rootFolder.objects,
    browseName: 'Reactor',
    nodeId: 's=Reactor',
  });
  const setpoint = ns.addAnalogDataItem({
    componentOf: reactor,
    browseName: 'Setpoint',
    nodeId: 's=Reactor.Setpoint',
    dataType: 'Double',
    engineeringUnitsRange: { low: 0, high: 200 },
    accessLevel: 'CurrentRead | CurrentWrite',
    userAccessLevel: 'CurrentRead | CurrentWrite',
    value: {
      get: () => new Variant({ dataType: DataType.Double, value: state.setpoint }),
      set: (v: Variant) => {
        state.setpoint = v.value as number;
        log.push(`write Setpoint=${state.setpoint}`);
        return StatusCodes.Good;
      },
    },
    minimumSamplingInterval: 50,
  });
  void setpoint;
  const temperature = variable(ns, reactor, 'Temperature', DataType.Double, state.temperature);
  const status = variable(ns, reactor, 'Status', DataType.String, state.status);
  variable(ns, reactor, 'Level', DataType.Int16, 3);
  const setStatus = (s: string): void => {
    state.status = s;
    status.setValueFromSource({ dataType: DataType.String, value: s });
  };
  method(ns, reactor, 'Start', [], [], () => {
    log.push('Start');
    setStatus('Heating');
    return [];
  });
  method(ns, reactor, 'Stop', [], [], () => {
    log.push('Stop');
    setStatus('Stopped');
    return [];
  });
  method(ns, reactor, 'Add', ['a', 'b'], ['sum'], (args) => {
    log.push('Add');
    return [new Variant({ dataType: DataType.Double, value: (args[0] as number) + (args[1] as number) })];
  });
  const tau = o.tauMs ?? 300;
  const dt = 20;
  const tick = setInterval(() => {
    state.temperature += ((state.setpoint - state.temperature) * dt) / tau;
    temperature.setValueFromSource({ dataType: DataType.Double, value: state.temperature });
    if (state.status === 'Heating' && Math.abs(state.temperature - state.setpoint) < 0.05)
      setStatus('AtSetpoint');
  }, dt);
  await server.start();
  const port = server.endpoints[0]?.port ?? 0;
  return {
    server,
    url: `opc.tcp://127.0.0.1:${port}`,
    port,
    log,
    state,
    certificateFile: server.certificateFile,
    stop: async () => {
      clearInterval(tick);
      await server.shutdown(0);
    },
  };
}

function variable(
  ns: Namespace,
  parent: UAObject,
  name: string,
  dataType: DataType,
  value: number | string,
): UAVariable {
  const v = ns.addVariable({
    componentOf: parent,
    browseName: name,
    nodeId: `s=Reactor.${name}`,
    dataType: DataType[dataType],
    minimumSamplingInterval: 20,
  });
  v.setValueFromSource({ dataType, value });
  return v;
}

function method(
  ns: Namespace,
  parent: UAObject,
  name: string,
  inputs: string[],
  outputs: string[],
  run: (args: unknown[]) => Variant[],
): void {
  const m = ns.addMethod(parent, {
    browseName: name,
    nodeId: `s=Reactor.${name}`,
    inputArguments: inputs.map((n) => ({ name: n, dataType: DataType.Double })),
    outputArguments: outputs.map((n) => ({ name: n, dataType: DataType.Double })),
  });
  m.bindMethod(async (args: Variant[], _context: unknown) => ({
    statusCode: StatusCodes.Good,
    outputArguments: run(args.map((a) => a.value as unknown)),
  }));
}
