/**
 * Routes an incoming topic to the handlers of every filter that matches it, in time proportional to the topic's
 * depth, not to the number of filters: a trie over topic levels with `+` and `#` branches. One link serves hundreds
 * of instruments, each with several filters, so a linear scan per message would dominate the hot path.
 */
type Handler = (topic: string, payload: Buffer) => void;

interface TrieNode {
  children: Map<string, TrieNode>;
  plus?: TrieNode;
  /** Handlers of a filter ending in `#` here. */
  hash?: Set<Handler>;
  /** Handlers of a filter ending exactly here. */
  here?: Set<Handler>;
}

const node = (): TrieNode => ({ children: new Map() });

export class TopicRouter {
  private readonly root = node();

  /** Adds a handler for `filter`; returns whether the filter is new (needs a subscription). */
  add(filter: string, handler: Handler): boolean {
    const { set, created } = this.slot(filter, true);
    const fresh = created || set.size === 0;
    set.add(handler);
    return fresh;
  }

  /** Removes a handler; returns whether the filter has no handler left (can be unsubscribed). */
  remove(filter: string, handler: Handler): boolean {
    const found = this.slot(filter, false);
    if (!found) return false;
    found.set.delete(handler);
    return found.set.size === 0;
  }

  dispatch(topic: string, payload: Buffer): number {
    let delivered = 0;
    const levels = topic.split('/');
    const visit = (n: TrieNode, i: number): void => {
      if (n.hash) delivered += call(n.hash, topic, payload);
      if (i === levels.length) {
        if (n.here) delivered += call(n.here, topic, payload);
        return;
      }
      const exact = n.children.get(levels[i] as string);
      if (exact) visit(exact, i + 1);
      if (n.plus) visit(n.plus, i + 1);
    };
    visit(this.root, 0);
    return delivered;
  }

  private slot(filter: string, create: true): { set: Set<Handler>; created: boolean };
  private slot(filter: string, create: false): { set: Set<Handler>; created: boolean } | undefined;
  private slot(filter: string, create: boolean): { set: Set<Handler>; created: boolean } | undefined {
    let n = this.root;
    const levels = filter.split('/');
    for (const [i, level] of levels.entries()) {
      if (level === '#' && i === levels.length - 1) {
        const created = !n.hash;
        if (!n.hash) {
          if (!create) return undefined;
          n.hash = new Set();
        }
        return { set: n.hash, created };
      }
      let next = level === '+' ? n.plus : n.children.get(level);
      if (!next) {
        if (!create) return undefined;
        next = node();
        if (level === '+') n.plus = next;
        else n.children.set(level, next);
      }
      n = next;
    }
    const created = !n.here;
    if (!n.here) {
      if (!create) return undefined;
      n.here = new Set();
    }
    return { set: n.here, created };
  }
}

function call(handlers: Set<Handler>, topic: string, payload: Buffer): number {
  for (const h of handlers) h(topic, payload);
  return handlers.size;
}
