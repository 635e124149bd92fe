import { BrokerAccess, mosquittoAcl, type BrokerUser } from './broker-access.js';

const daemon: BrokerUser = { role: 'daemon', username: 'labloop', password: 'd' };
const reader: BrokerUser = {
  role: 'instrument',
  username: 'reader',
  password: 'r',
  instrument: 'reader',
  prefix: 'labloop',
};

describe('broker access rules', () => {
  const access = new BrokerAccess();
  access.set(daemon);
  access.set(reader);

  it('authenticates by user name and password only', () => {
    expect(access.authenticate('labloop', Buffer.from('d'))).toBe(daemon);
    expect(access.authenticate('labloop', 'r')).toBeUndefined();
    expect(access.authenticate('nobody', 'd')).toBeUndefined();
    expect(access.authenticate(undefined, undefined)).toBeUndefined();
  });

  it('lets only the daemon publish commands; an instrument publishes only its own topics', () => {
    expect(access.mayPublish(daemon, 'labloop/reader/cmd')).toBe(true);
    expect(access.mayPublish(daemon, '$SYS/x')).toBe(false);
    for (const t of ['state', 'describe', 'reply', 'telemetry/temperature'])
      expect(access.mayPublish(reader, `labloop/reader/${t}`)).toBe(true);
    for (const t of [
      'labloop/reader/cmd',
      'labloop/other/state',
      'labloop/reader/telemetry/a/b',
      'labloop/reader/x',
      'labloop/+/state',
    ])
      expect(access.mayPublish(reader, t)).toBe(false);
  });

  it('lets an instrument subscribe only under its own id', () => {
    expect(access.maySubscribe(reader, 'labloop/reader/cmd')).toBe(true);
    expect(access.maySubscribe(reader, 'labloop/reader/#')).toBe(true);
    expect(access.maySubscribe(reader, 'labloop/other/cmd')).toBe(false);
    expect(access.maySubscribe(reader, 'labloop/+/cmd')).toBe(false);
    expect(access.maySubscribe(reader, '#')).toBe(false);
    expect(access.maySubscribe(daemon, '#')).toBe(true);
  });

  it('writes the same rules as a Mosquitto ACL', () => {
    expect(mosquittoAcl([daemon, reader])).toBe(
      [
        'user labloop',
        'topic readwrite #',
        '',
        'user reader',
        'topic write labloop/reader/state',
        'topic write labloop/reader/describe',
        'topic write labloop/reader/reply',
        'topic write labloop/reader/telemetry/+',
        'topic read labloop/reader/cmd',
        '',
      ].join('\n'),
    );
  });
});
