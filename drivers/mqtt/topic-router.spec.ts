import { topicMatches } from './mqtt.contract.js';
import { TopicRouter } from './topic-router.js';

describe('TopicRouter', () => {
  const filters = [
    'labloop/dev/reply',
    'labloop/dev/telemetry/+',
    'labloop/+/state',
    'labloop/#',
    '#',
    '+/dev/+/x',
    'other',
  ];
  const topics = [
    'labloop/dev/reply',
    'labloop/dev/telemetry/t',
    'labloop/dev/telemetry/t/x',
    'labloop/a/state',
    'labloop',
    'other',
    'other/x',
    'a/dev/b/x',
    'labloop/dev/state',
  ];

  it('routes a topic to exactly the filters that match it, as MQTT defines matching', () => {
    const router = new TopicRouter();
    const hits: string[] = [];
    for (const f of filters) router.add(f, () => hits.push(f));
    for (const t of topics) {
      hits.length = 0;
      router.dispatch(t, Buffer.alloc(0));
      expect([...hits].sort()).toEqual(filters.filter((f) => topicMatches(f, t)).sort());
    }
  });

  it('says when a filter is new and when its last handler goes', () => {
    const router = new TopicRouter();
    const a = (): void => undefined;
    const b = (): void => undefined;
    expect(router.add('x/+', a)).toBe(true);
    expect(router.add('x/+', b)).toBe(false);
    expect(router.remove('x/+', a)).toBe(false);
    expect(router.remove('x/+', b)).toBe(true);
    expect(router.dispatch('x/1', Buffer.alloc(0))).toBe(0);
    expect(router.add('x/+', a)).toBe(true);
  });
});
