/**
 * Proves node-opcua runs under this toolchain (Jest in ESM mode, the hexy override): a real server on a free port,
 * a real client session, a read and a subscription. Certificates go to a temporary folder, never ~/.config.
 */
import { join } from 'node:path';
import {
  AttributeIds,
  ClientSubscription,
  DataType,
  OPCUACertificateManager,
  OPCUAClient,
  OPCUAServer,
  TimestampsToReturn,
  Variant,
} from 'node-opcua';
import '../helpers/opcua-quiet.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('node-opcua toolchain', () => {
  const dir = tempDir('labloop-opcua-');
  const pki = (name: string): OPCUACertificateManager =>
    new OPCUACertificateManager({
      rootFolder: join(dir.path, name),
      automaticallyAcceptUnknownCertificate: true,
    });
  let server: OPCUAServer;
  let temperature = 21.5;

  beforeAll(async () => {
    server = new OPCUAServer({
      port: 0,
      serverCertificateManager: pki('server'),
      userCertificateManager: pki('user'),
    });
    await server.initialize();
    const ns = server.engine.addressSpace!.getOwnNamespace();
    const device = ns.addObject({
      organizedBy: server.engine.addressSpace!.rootFolder.objects,
      browseName: 'Reactor',
    });
    ns.addVariable({
      componentOf: device,
      browseName: 'Temperature',
      nodeId: 's=Temperature',
      dataType: 'Double',
      value: { get: () => new Variant({ dataType: DataType.Double, value: temperature }) },
    });
    await server.start();
  });
  afterAll(async () => {
    await server.shutdown();
    dir.cleanup();
  });

  it('reads and subscribes to a variable over a real session', async () => {
    const client = OPCUAClient.create({
      endpointMustExist: false,
      clientCertificateManager: pki('client'),
      connectionStrategy: { maxRetry: 1 },
    });
    await client.connect(server.getEndpointUrl());
    const session = await client.createSession();
    try {
      const read = await session.read({ nodeId: 'ns=1;s=Temperature', attributeId: AttributeIds.Value });
      expect(read.statusCode.name).toBe('Good');
      expect(read.value.value).toBe(21.5);

      const subscription = ClientSubscription.create(session, {
        requestedPublishingInterval: 50,
        publishingEnabled: true,
      });
      const item = await subscription.monitor(
        { nodeId: 'ns=1;s=Temperature', attributeId: AttributeIds.Value },
        { samplingInterval: 20, queueSize: 10 },
        TimestampsToReturn.Both,
      );
      const seen = new Promise<number>((resolve) =>
        item.on('changed', (dv) => {
          if (dv.value.value === 80) resolve(dv.value.value as number);
        }),
      );
      temperature = 80;
      expect(await seen).toBe(80);
      await subscription.terminate();
    } finally {
      await session.close();
      await client.disconnect();
    }
  });
});
