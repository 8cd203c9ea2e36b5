/** The Chrome trace download: its name and a body Perfetto reads. */
import { chromeTraceFile, runName } from '../../src/widget/export';
import { sampleEvents } from '../support/sample';

describe('Chrome trace export', () => {
  it('names the file after the program, the same for the same program', () => {
    const a = runName('package main\n', 'ebpf');
    expect(a).toMatch(/^ebpf-[0-9a-f]{8}$/);
    expect(runName('package main\n', 'ebpf')).toBe(a);
    expect(runName('package main // 2\n', 'ebpf')).not.toBe(a);
  });

  it('writes the recording as Trace Event JSON with named tracks', () => {
    const events = sampleEvents(3);
    const file = chromeTraceFile(events, 'ebpf-0000abcd');
    expect(file.filename).toBe('run-ebpf-0000abcd.json');
    const json = JSON.parse(file.text) as {
      traceEvents: { ph: string; name: string; args?: { name?: string } }[];
    };
    expect(Array.isArray(json.traceEvents)).toBe(true);
    const names = json.traceEvents.filter((e) => e.ph === 'M').map((e) => e.args?.name);
    expect(names).toContain('P0');
    expect(json.traceEvents.some((e) => e.ph === 'X')).toBe(true);
  });
});
