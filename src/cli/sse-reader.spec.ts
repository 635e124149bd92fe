import { readSse } from './sse-reader.js';

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(enc.encode(x));
      c.close();
    },
  });
}

describe('readSse', () => {
  it('splits messages across chunk boundaries, keeps ids, skips comments and retry lines', async () => {
    const out = [];
    for await (const m of readSse(
      stream(['retry: 2000\n\n: keep-alive\n\nid: 4\nda', 'ta: {"a":1}\n\ndata: x\r\ndata: y\r\n\r\n']),
    ))
      out.push(m);
    expect(out).toEqual([{ id: '4', data: '{"a":1}' }, { data: 'x\ny' }]);
  });
});
