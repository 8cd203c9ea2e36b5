import fc from 'fast-check';
import { IntMap, INTMAP_MAX_KEY } from '../src/protocol';

test('behaves like a Map under any sequence of sets, and old versions stay as they were', () => {
  const key = fc.oneof(fc.nat(40), fc.nat(5000), fc.integer({ min: 0, max: INTMAP_MAX_KEY }));
  fc.assert(
    fc.property(fc.array(fc.tuple(key, fc.integer()), { maxLength: 200 }), (ops) => {
      let map = IntMap.empty<number>();
      const model = new Map<number, number>();
      const versions: [IntMap<number>, [number, number][]][] = [];
      for (const [k, v] of ops) {
        versions.push([map, [...model.entries()].sort((a, b) => a[0] - b[0])]);
        map = map.set(k, v);
        model.set(k, v);
        expect(map.get(k)).toBe(v);
        expect(map.size).toBe(model.size);
      }
      expect(map.entries()).toEqual([...model.entries()].sort((a, b) => a[0] - b[0]));
      for (const [old, entries] of versions) expect(old.entries()).toEqual(entries);
    }),
    { numRuns: 300 },
  );
});

test('absent keys, out-of-range reads and bad keys', () => {
  const map = IntMap.from([
    [3, 'a'],
    [70_000, 'b'],
  ]);
  expect(map.get(4)).toBeUndefined();
  expect(map.get(-1)).toBeUndefined();
  expect(map.get(2 ** 40)).toBeUndefined();
  expect(map.has(70_000)).toBe(true);
  expect(() => map.set(1.5, 'x')).toThrow(RangeError);
  expect(() => map.set(INTMAP_MAX_KEY + 1, 'x')).toThrow(/integer in/);
});
