/**
 * One simulated instrument as an OPC UA server shaped after LADS (OPC 30500-1), built with the LADS nodeset that
 * node-opcua ships: a LADSDeviceType under DI's DeviceSet, its FunctionalUnitSet, and functional units added by the
 * device (lads-unit.ts). Node ids are strings derived from the device name (`ns=1;s=<Device>.<Unit>-FunctionSet-…`),
 * so a lab file can name them.
 *
 * Certificates live in the folder passed in (never ~/.config). Going offline suspends the endpoints and drops every
 * client socket, as a network outage does; coming back resumes them (sessions survive, clients reconnect).
 */
import { join } from 'node:path';
import {
  coerceLocalizedText,
  DataType,
  nodesets,
  OPCUACertificateManager,
  OPCUAServer,
  promoteToStateMachine,
  type AddressSpace,
  type Namespace,
  type UAObject,
  type UAObjectType,
  type UAVariable,
} from 'node-opcua';

export const LADS_URI = 'http://opcfoundation.org/UA/LADS/';
const DI_URI = 'http://opcfoundation.org/UA/DI/';
/** The DeviceSet object of the DI nodeset. */
const DEVICE_SET = 5001;

export interface LadsServerOptions {
  /** 0 takes a free port. */
  port: number;
  host?: string;
  /** Folder for the certificates (one server certificate for all the servers of a lab). */
  pkiDir: string;
  /** Browse name of the device, e.g. PumpA. */
  device: string;
  model: string;
  serialNumber: string;
}

export class LadsServer {
  private offline = false;

  private constructor(
    readonly server: OPCUAServer,
    readonly addressSpace: AddressSpace,
    readonly namespace: Namespace,
    readonly ladsIndex: number,
    readonly device: UAObject,
    readonly o: LadsServerOptions,
  ) {}

  static async create(o: LadsServerOptions): Promise<LadsServer> {
    const pki = (name: string): OPCUACertificateManager =>
      new OPCUACertificateManager({
        rootFolder: join(o.pkiDir, name),
        automaticallyAcceptUnknownCertificate: true,
      });
    const server = new OPCUAServer({
      port: o.port,
      hostname: o.host ?? '127.0.0.1',
      nodeset_filename: [
        nodesets.standard,
        nodesets.di,
        nodesets.machinery,
        nodesets.amb,
        nodesets.ia,
        nodesets.lads,
      ],
      serverCertificateManager: pki('server'),
      userCertificateManager: pki('user'),
      buildInfo: { productName: `labloop simulated ${o.model}`, manufacturerName: 'labloop' },
      serverInfo: { applicationName: { text: `labloop-sim ${o.device}` } },
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA address space missing after initialize');
    const namespace = addressSpace.getOwnNamespace();
    const ladsIndex = addressSpace.getNamespaceIndex(LADS_URI);
    const diIndex = addressSpace.getNamespaceIndex(DI_URI);
    const deviceType = addressSpace.findObjectType('LADSDeviceType', ladsIndex) as UAObjectType;
    const deviceSet = addressSpace.findNode(`ns=${diIndex};i=${DEVICE_SET}`) as UAObject;
    const device = deviceType.instantiate({
      browseName: { name: o.device, namespaceIndex: namespace.index },
      nodeId: `s=${o.device}`,
      organizedBy: deviceSet,
      optionals: ['DeviceHealth'],
    });
    const text = (name: string, value: string): void => {
      const v = device.getChildByName(name) as UAVariable | null;
      if (!v) return;
      const isText = v.dataType.value === DataType.LocalizedText;
      v.setValueFromSource(
        isText
          ? { dataType: DataType.LocalizedText, value: coerceLocalizedText(value) }
          : { dataType: DataType.String, value },
      );
    };
    text('Manufacturer', 'labloop (simulated)');
    text('Model', o.model);
    text('SerialNumber', o.serialNumber);
    text('SoftwareRevision', '1.0');
    text('HardwareRevision', 'sim');
    text('DeviceRevision', '1');
    text('ComponentName', o.device);
    const state = device.getChildByName('DeviceState');
    if (state) promoteToStateMachine(state as UAObject).setState('Operate');
    return new LadsServer(server, addressSpace, namespace, ladsIndex, device, o);
  }

  objectType(name: string): UAObjectType {
    const t = this.addressSpace.findObjectType(name, this.ladsIndex);
    if (!t) throw new Error(`LADS type ${name} not found`);
    return t;
  }

  get endpointUrl(): string {
    return this.server.getEndpointUrl();
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  async shutdown(): Promise<void> {
    await new Promise<void>((resolve) => this.server.shutdown(() => resolve()));
  }

  /** Stops accepting connections and cuts every client off. */
  async goOffline(): Promise<void> {
    if (this.offline) return;
    this.offline = true;
    // Cut the connections first: suspending waits (up to a second) for them to end.
    for (const ep of this.server.endpoints) ep.abruptlyInterruptChannels();
    await this.server.suspendEndPoints();
  }

  async comeBack(): Promise<void> {
    if (!this.offline) return;
    this.offline = false;
    await this.server.resumeEndPoints();
  }
}
