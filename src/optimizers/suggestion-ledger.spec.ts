import { compareIds, SuggestionLedger, suggestionId } from './suggestion-ledger.js';

const obs = (id: string) => ({ suggestionId: id, params: { x: 1 }, values: { y: { mean: 1 } } });

describe('suggestion ledger (the rebuild rule)', () => {
  it('counts distinct ids told or pending, and nothing twice', () => {
    const l = new SuggestionLedger();
    expect(l.nextIndex([])).toBe(0);
    l.record([obs('s1'), obs('s2'), obs('s2')]);
    expect(l.nextIndex([])).toBe(2);
    // s2 is told already; s3 listed twice counts once.
    expect(
      l.nextIndex([
        { id: 's2', params: {} },
        { id: 's3', params: {} },
        { id: 's3', params: {} },
      ]),
    ).toBe(3);
    expect(
      l.stillPending([
        { id: 's2', params: {} },
        { id: 's3', params: {} },
        { id: 's3', params: {} },
      ]),
    ).toEqual([{ id: 's3', params: {} }]);
    // An interrupted experiment (neither values nor failed) counts as asked.
    l.record([{ suggestionId: 's4', params: { x: 2 } }]);
    expect(l.nextIndex([])).toBe(3);
  });

  it('keeps observations in id order whatever order they arrive in', () => {
    const l = new SuggestionLedger();
    l.record([obs('s10'), obs('s2'), obs('s1')]);
    expect(l.observations().map((o) => o.suggestionId)).toEqual(['s1', 's2', 's10']);
    expect(['s10', 's9', 'a', 's1'].sort(compareIds)).toEqual(['a', 's1', 's9', 's10']);
    expect(suggestionId(0)).toBe('s1');
  });
});
