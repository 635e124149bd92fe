/**
 * Finds the nodes a lab file names: NodeId text (`ns=2;s=Reactor.T`), with a namespace alias (`ns=sim;…`) or URI
 * (`nsu=urn:…;…`) in place of an index — indexes differ between servers and restarts, URIs do not — or a browse path
 * from the Objects folder (`/DeviceSet/Reader/FunctionalUnitSet/ReaderUnit`, a segment optionally `alias:Name`).
 * Results are cached until the server loses our session (dynamic node ids may change then).
 */
import {
  BrowseDirection,
  NodeClassMask,
  ObjectIds,
  ReferenceTypeIds,
  resolveNodeId,
  type ClientSession,
  type NodeId,
  type ReferenceDescription,
} from 'node-opcua';
import { describeError, LabError } from '../../src/common/lab-error.js';
import type { OpcuaConnection } from './opcua-connection.js';

export class NodeResolver {
  private readonly cache = new Map<string, NodeId>();
  private generation = -1;
  private namespaceArray?: string[];

  constructor(
    private readonly conn: OpcuaConnection,
    private readonly aliases: Readonly<Record<string, string>>,
  ) {}

  async resolve(ref: string): Promise<NodeId> {
    this.checkGeneration();
    const hit = this.cache.get(ref);
    if (hit) return hit;
    const session = this.conn.requireSession();
    const id = ref.startsWith('/') ? await this.browsePath(session, ref) : await this.parse(session, ref);
    this.cache.set(ref, id);
    return id;
  }

  /** The live session (INSTRUMENT_OFFLINE while the link is down). */
  session(): ClientSession {
    return this.conn.requireSession();
  }

  /** The hierarchical child of `parent` whose browse name is `name` (any namespace), or undefined. */
  async child(parent: NodeId, name: string): Promise<NodeId | undefined> {
    const refs = await this.children(parent);
    return refs.find((r) => r.browseName.name === name)?.nodeId;
  }

  async children(parent: NodeId): Promise<ReferenceDescription[]> {
    const session = this.conn.requireSession();
    const result = await session.browse({
      nodeId: parent,
      browseDirection: BrowseDirection.Forward,
      referenceTypeId: ReferenceTypeIds.HierarchicalReferences,
      includeSubtypes: true,
      nodeClassMask: NodeClassMask.Object | NodeClassMask.Variable | NodeClassMask.Method,
      resultMask: 0x3f,
    });
    const refs = [...(result.references ?? [])];
    let next = result.continuationPoint;
    while (next && next.length > 0) {
      const more = await session.browseNext(next, false);
      refs.push(...(more.references ?? []));
      next = more.continuationPoint;
    }
    return refs;
  }

  /** The namespace index of a URI on this server. */
  async namespaceIndex(uri: string): Promise<number> {
    this.checkGeneration();
    this.namespaceArray ??= await this.conn.requireSession().readNamespaceArray();
    const i = this.namespaceArray.indexOf(uri);
    if (i < 0) throw new LabError('NOT_FOUND', `the server has no namespace ${uri}`);
    return i;
  }

  private checkGeneration(): void {
    if (this.generation === this.conn.generation) return;
    this.generation = this.conn.generation;
    this.cache.clear();
    this.namespaceArray = undefined;
  }

  private async parse(_session: ClientSession, ref: string): Promise<NodeId> {
    let text = ref;
    const alias = /^ns=([^;]+);(.*)$/.exec(ref);
    if (alias?.[1] && !/^\d+$/.test(alias[1])) text = `ns=${await this.indexOfAlias(alias[1])};${alias[2]}`;
    const uri = /^nsu=([^;]+);(.*)$/.exec(ref);
    if (uri?.[1]) text = `ns=${await this.namespaceIndex(uri[1])};${uri[2]}`;
    try {
      return resolveNodeId(text);
    } catch (e) {
      throw new LabError('CONFIG_INVALID', `"${ref}" is not a node id: ${describeError(e)}`);
    }
  }

  private async indexOfAlias(alias: string): Promise<number> {
    const uri = this.aliases[alias];
    if (!uri) throw new LabError('CONFIG_INVALID', `unknown namespace alias "${alias}"`);
    return this.namespaceIndex(uri);
  }

  private async browsePath(_session: ClientSession, path: string): Promise<NodeId> {
    let node = resolveNodeId(ObjectIds.ObjectsFolder);
    let walked = '';
    for (const segment of path.split('/').filter(Boolean)) {
      const q = /^([^:]+):(.*)$/.exec(segment);
      const name = q ? (q[2] ?? '') : segment;
      const ns =
        q?.[1] === undefined ? undefined : /^\d+$/.test(q[1]) ? Number(q[1]) : await this.indexOfAlias(q[1]);
      const refs = await this.children(node);
      const match = refs.find(
        (r) => r.browseName.name === name && (ns === undefined || r.browseName.namespaceIndex === ns),
      );
      if (!match) {
        const names = refs.map((r) => r.browseName.name).filter(Boolean);
        throw new LabError(
          'NOT_FOUND',
          `no node "${segment}" under ${walked || '/Objects'} (found: ${names.slice(0, 12).join(', ') || 'nothing'})`,
        );
      }
      node = match.nodeId;
      walked += `/${segment}`;
    }
    return node;
  }
}
