/**
 * The output bundle: what is saved in the notebook must come back as the
 * same run, be much smaller than the events as JSON, and refuse tampered
 * or broken data with the field to blame (notebooks are untrusted).
 */
import { ProtocolError, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { pack, summaryText, unpack, type Recording } from '../src/recording';
import { sampleEvents } from './support/sample';

function recording(events: SlowmoEvent[]): Recording {
  return {
    source: 'package main\n\nfunc main() {}\n',
    options: { backend: 'auto', mode: 'record', gomaxprocs: 2 },
    events,
    end: {
      exitCode: 0,
      reason: 'exit',
      lost: 0,
      stats: { events: events.length, compileMs: 12, cached: false },
    },
    checkpoints: [
      { id: 'c1', title: 'Three goroutines', passed: true, reason: '3 goroutines were created' },
    ],
  };
}

describe('the output bundle', () => {
  test('unpack(pack(x)) is the same run: every event, optional fields absent, null kept', () => {
    const rec = recording(sampleEvents());
    const back = unpack(JSON.parse(JSON.stringify(pack(rec))));
    expect(back).toEqual(rec);
    const parked = back.events.filter((e) => e.kind === 'g.waiting');
    expect(parked[0]).not.toHaveProperty('file');
    expect(parked[1]).toMatchObject({ file: 'main.go', line: 12 });
    expect(back.events.at(-1)).toMatchObject({ kind: 'run.end', signal: null });
  });

  test('it is compact: well under half of the events as JSON objects', () => {
    const events = sampleEvents(2000);
    const packed = JSON.stringify(pack(recording(events))).length;
    const plain = JSON.stringify(events).length;
    expect(packed / plain).toBeLessThan(0.5);
  });

  test('tampered data is refused with the place to blame, never drawn', () => {
    const packed = pack(recording(sampleEvents()));
    const rows = JSON.parse(packed.rows) as unknown[][];
    const withRows = (change: (r: unknown[][]) => void) => {
      const copy = JSON.parse(JSON.stringify(rows)) as unknown[][];
      change(copy);
      return { ...packed, rows: JSON.stringify(copy) };
    };
    const createRow = rows.findIndex((r) => packed.kinds[r[0] as number] === 'g.create');
    const badGoid = withRows((r) => (r[createRow]![5] = -7));
    expect(() => unpack(badGoid)).toThrow(ProtocolError);
    expect(() => unpack(badGoid)).toThrow(new RegExp(`event ${createRow}`));
    expect(() => unpack({ ...packed, v: 2 })).toThrow(/field "v"/);
    expect(() => unpack(withRows((r) => (r[0]![0] = 99)))).toThrow(/unknown kind/);
    expect(() => unpack({ ...packed, rows: '[[0,' })).toThrow(/"rows" is not JSON/);
    expect(() => unpack({ ...packed, rows: '{"a":1}' })).toThrow(/must be a list/);
    expect(() => unpack('<script>')).toThrow(ProtocolError);
  });

  test('text/plain says what happened, for readers without the extension', () => {
    const text = summaryText(recording(sampleEvents(3)));
    expect(text).toContain('go1.26.8, GOMAXPROCS=2, ebpf');
    expect(text).toContain('4 goroutines created');
    expect(text).toContain('ended: exit (exit code 0)');
    expect(text).toContain('PASS Three goroutines');
    const failed = summaryText({
      ...recording([]),
      diagnostics: [{ file: 'main.go', line: 3, column: 2, message: 'undefined: x' }],
    });
    expect(failed).toBe('Go-slowmo: the program did not compile:\nmain.go:3:2: undefined: x');
  });
});
