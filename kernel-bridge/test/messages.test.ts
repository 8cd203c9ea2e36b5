import { parseClientMessage, parseServerMessage, ProtocolError } from '../src/protocol';

function field(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err.field;
    throw err;
  }
  throw new Error('accepted');
}

describe('client to bridge', () => {
  test('a run with one source gets its defaults', () => {
    expect(parseClientMessage('{"type":"run","id":"cell-1","code":"package main"}')).toEqual({
      type: 'run',
      id: 'cell-1',
      code: 'package main',
      backend: 'auto',
      mode: 'record',
    });
  });

  test('a run with several files, a Go version and pacing', () => {
    const msg = parseClientMessage({
      type: 'run',
      id: 'r2',
      files: {
        'main.go': 'package main',
        'worker/pool.go': 'package worker',
        'go.mod': 'module x',
      },
      goVersion: '1.24',
      gomaxprocs: 4,
      backend: 'ebpf',
      mode: 'paced',
      pace: 5,
    });
    expect(msg).toMatchObject({ gomaxprocs: 4, mode: 'paced', pace: 5 });
  });

  test('a paced run may let sysmon see its pauses; stepline is a control', () => {
    expect(
      parseClientMessage({ type: 'run', id: 'r', code: 'x', mode: 'paced', sysmon: 'see-pauses' }),
    ).toMatchObject({ mode: 'paced', sysmon: 'see-pauses' });
    expect(parseClientMessage({ type: 'run', id: 'r', code: 'x' })).not.toHaveProperty('sysmon');
    expect(parseClientMessage({ type: 'control', id: 'r', action: 'stepline' })).toEqual({
      type: 'control',
      id: 'r',
      action: 'stepline',
    });
  });

  test.each([
    [{ type: 'run', id: 'a' }, 'code'],
    [{ type: 'run', id: 'a', code: 'x', files: { 'main.go': 'x' } }, 'code'],
    [{ type: 'run', id: 'a', files: {} }, 'files'],
    [{ type: 'run', id: 'a', files: { '../etc/passwd.go': 'x' } }, 'files'],
    [{ type: 'run', id: 'a', files: { '/abs/main.go': 'x' } }, 'files'],
    [{ type: 'run', id: 'a', files: { 'notes.txt': 'x' } }, 'files'],
    [{ type: 'run', id: 'a b', code: 'x' }, 'id'],
    [{ type: 'run', id: 'a', code: 'x', gomaxprocs: 0 }, 'gomaxprocs'],
    [{ type: 'run', id: 'a', code: 'x', goVersion: 'latest' }, 'goVersion'],
    [{ type: 'run', id: 'a', code: 'x', backend: 'dtrace' }, 'backend'],
    [{ type: 'run', id: 'a', code: 'x', mode: 'paced', sysmon: 'always' }, 'sysmon'],
    [{ type: 'control', id: 'a', action: 'speed' }, 'value'],
    [{ type: 'control', id: 'a', action: 'rewind' }, 'action'],
    [{ type: 'launch', id: 'a' }, 'type'],
  ])('%j is refused, naming %s', (msg, name) => {
    expect(field(() => parseClientMessage(msg)).startsWith(name)).toBe(true);
  });

  test('broken JSON is refused with a clear message', () => {
    expect(() => parseClientMessage('{"type":')).toThrow(/not valid JSON/);
  });
});

describe('bridge to client', () => {
  test('every message kind parses', () => {
    const ok = [
      { type: 'status', id: 'a', phase: 'queued', position: 3 },
      {
        type: 'compile_error',
        id: 'a',
        diagnostics: [{ file: 'main.go', line: 3, column: 5, message: 'undefined: x' }],
      },
      {
        type: 'events',
        id: 'a',
        events: [{ seq: 0, t: 0, m: 0, p: 0, g: 0, kind: 'gc', phase: 'mark' }],
      },
      {
        type: 'end',
        id: 'a',
        exitCode: 0,
        reason: 'exit',
        lost: 0,
        stats: { events: 120, runMs: 40 },
      },
      {
        type: 'error',
        id: 'a',
        code: 'bad_request',
        message: 'field "code": required',
        field: 'code',
      },
    ];
    for (const m of ok) expect(parseServerMessage(m)).toEqual(m);
  });

  test('a bad event inside a batch is named by its place', () => {
    const f = field(() =>
      parseServerMessage({
        type: 'events',
        id: 'a',
        events: [{ seq: 0, t: 0, m: 0, p: 0, g: 0, kind: 'gc', phase: 'x' }],
      }),
    );
    expect(f).toBe('events[0].phase');
  });
});
