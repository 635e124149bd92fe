/**
 * A node-opcua client session for tests, with its certificates in a folder of the test (never ~/.config). Nodes are
 * named by browse path from a LADS device (`FlowReactor/FunctionalUnitSet/Reactor/FunctionSet/Temperature`), the
 * way a lab file names them; namespaces are ignored when matching browse names.
 */
import { join } from 'node:path';
import {
  AttributeIds,
  DataType,
  OPCUACertificateManager,
  OPCUAClient,
  StatusCodes,
  Variant,
  VariantArrayType,
  type ClientSession,
  type StatusCode,
  type VariantLike,
} from 'node-opcua';
import './opcua-quiet.js';

export interface TestSession {
  session: ClientSession;
  client: OPCUAClient;
  /** The node id at a browse path starting at a device (its node id is s=<Device>). */
  resolve(path: string): Promise<string>;
  read(path: string): Promise<{ status: StatusCode; value: unknown }>;
  write(path: string, value: number): Promise<StatusCode>;
  call(method: string, args?: VariantLike[]): Promise<{ status: StatusCode; outputs: unknown[] }>;
  /** LADS StartProgram on a functional unit (`PumpA/FunctionalUnitSet/Pump`). */
  startProgram(
    unit: string,
    template: string,
    jobId: string,
    taskId: string,
  ): Promise<{ status: StatusCode; runId?: string }>;
  close(): Promise<void>;
}

export async function openSession(
  url: string,
  pkiDir: string,
  o: { requestTimeoutMs?: number } = {},
): Promise<TestSession> {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    clientCertificateManager: new OPCUACertificateManager({
      rootFolder: join(pkiDir, 'client'),
      automaticallyAcceptUnknownCertificate: true,
    }),
    connectionStrategy: { maxRetry: 3, initialDelay: 100, maxDelay: 500 },
    requestedSessionTimeout: 120_000,
    defaultTransactionTimeout: o.requestTimeoutMs,
  });
  await client.connect(url);
  const session = await client.createSession();
  const cache = new Map<string, string>();

  const resolve = async (path: string): Promise<string> => {
    const known = cache.get(path);
    if (known) return known;
    const parts = path.split('/');
    let node = `ns=1;s=${parts[0]}`;
    for (let i = 1; i < parts.length; i++) {
      const r = await session.browse(node);
      const child = r.references?.find((ref) => ref.browseName.name === parts[i]);
      if (!child) throw new Error(`no ${parts[i]} under ${parts.slice(0, i).join('/')}`);
      node = child.nodeId.toString();
    }
    cache.set(path, node);
    return node;
  };
  const call = async (
    method: string,
    args: VariantLike[] = [],
  ): Promise<{ status: StatusCode; outputs: unknown[] }> => {
    const objectId = await resolve(method.slice(0, method.lastIndexOf('/')));
    const r = await session.call({ objectId, methodId: await resolve(method), inputArguments: args });
    return { status: r.statusCode, outputs: (r.outputArguments ?? []).map((v) => v.value as unknown) };
  };

  return {
    session,
    client,
    resolve,
    read: async (path) => {
      const dv = await session.read({ nodeId: await resolve(path), attributeId: AttributeIds.Value });
      return { status: dv.statusCode, value: dv.value.value as unknown };
    },
    write: async (path, value) =>
      session.write({
        nodeId: await resolve(path),
        attributeId: AttributeIds.Value,
        value: { value: new Variant({ dataType: DataType.Double, value }) },
      }),
    call,
    startProgram: async (unit, template, jobId, taskId) => {
      const empty = { dataType: DataType.ExtensionObject, arrayType: VariantArrayType.Array, value: [] };
      const r = await call(`${unit}/FunctionalUnitState/StartProgram`, [
        { dataType: DataType.String, value: template },
        empty,
        { dataType: DataType.String, value: jobId },
        { dataType: DataType.String, value: taskId },
        empty,
      ]);
      const runId = r.status === StatusCodes.Good ? (r.outputs[0] as string) : undefined;
      return { status: r.status, runId };
    },
    close: async () => {
      await session.close().catch(() => undefined);
      await client.disconnect();
    },
  };
}
