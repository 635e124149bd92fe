/** A small OPC UA server for the driver benchmark: `count` devices, each with Setpoint, Status and `Go(tag)`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, StatusCodes, type Variant } from 'node-opcua';

export interface BenchOpcuaServer {
  url: string;
  stop(): Promise<void>;
}

/** Devices Bench0…: Setpoint (Double, writable), Status (String), Go(tag: String) which sets Status to the tag. */
export async function benchOpcuaServer(count: number): Promise<BenchOpcuaServer> {
  const dir = mkdtempSync(join(tmpdir(), 'labloop-bench-opcua-'));
  const pki = (name: string): OPCUACertificateManager =>
    new OPCUACertificateManager({ rootFolder: join(dir, name), automaticallyAcceptUnknownCertificate: true });
  const server = new OPCUAServer({
    port: 0,
    serverCertificateManager: pki('server'),
    userCertificateManager: pki('users'),
    serverCapabilities: { maxSessions: 20 },
  });
  await server.initialize();
  const space = server.engine.addressSpace!;
  const ns = space.registerNamespace('urn:labloop:bench');
  for (let i = 0; i < count; i++) {
    const name = `Bench${i}`;
    const device = ns.addObject({
      organizedBy: space.rootFolder.objects,
      browseName: name,
      nodeId: `s=${name}`,
    });
    ns.addVariable({
      componentOf: device,
      browseName: 'Setpoint',
      nodeId: `s=${name}.Setpoint`,
      dataType: 'Double',
      accessLevel: 'CurrentRead | CurrentWrite',
      userAccessLevel: 'CurrentRead | CurrentWrite',
      minimumSamplingInterval: 0,
    }).setValueFromSource({ dataType: DataType.Double, value: 0 });
    const status = ns.addVariable({
      componentOf: device,
      browseName: 'Status',
      nodeId: `s=${name}.Status`,
      dataType: 'String',
      minimumSamplingInterval: 0,
    });
    status.setValueFromSource({ dataType: DataType.String, value: 'idle' });
    const go = ns.addMethod(device, {
      browseName: 'Go',
      nodeId: `s=${name}.Go`,
      inputArguments: [{ name: 'tag', dataType: DataType.String }],
      outputArguments: [],
    });
    go.bindMethod(async (args: Variant[], _context: unknown) => {
      status.setValueFromSource({ dataType: DataType.String, value: args[0]?.value as string });
      return { statusCode: StatusCodes.Good };
    });
  }
  await server.start();
  return {
    url: `opc.tcp://127.0.0.1:${server.endpoints[0]?.port ?? 0}`,
    stop: async () => {
      await server.shutdown(0);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
