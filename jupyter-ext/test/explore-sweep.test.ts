/**
 * An exploration across settings, its pure part: every Go version with
 * every GOMAXPROCS value asked (the cell's own where none is), and each
 * output's runs counted per setting, said only when there is more than one.
 */
import { groupRuns, type ExploredRun } from '@go-slowmo/kernel-bridge/protocol';
import { perSetting, settingsOf, settingWords } from '../src/explore/sweep';

const run = (id: string, procs: number, stdout: string): ExploredRun => ({
  id,
  procs,
  go: 'go1.27.4',
  outcome: { stdout, exitCode: 0 },
  signature: stdout,
});

describe('exploring across settings', () => {
  test('the settings: each Go version with each GOMAXPROCS value, the cell’s where none is asked', () => {
    expect(settingsOf({ procs: [1, 2], goVersions: ['go1.22.12', 'go1.27.4'] })).toEqual([
      { go: 'go1.22.12', procs: 1 },
      { go: 'go1.22.12', procs: 2 },
      { go: 'go1.27.4', procs: 1 },
      { go: 'go1.27.4', procs: 2 },
    ]);
    expect(settingsOf({ procs: [4], goVersions: [] })).toEqual([{ procs: 4 }]);
    expect(settingsOf({ procs: [], goVersions: [] })).toEqual([{}]);
    expect(settingWords({ go: 'go1.27.4', procs: 2 })).toBe('Go 1.27.4, GOMAXPROCS 2');
  });

  test('each output counted per setting: here one P always prints a b, two Ps sometimes b a', () => {
    const runs = [
      run('r1', 1, 'a b'),
      run('r2', 1, 'a b'),
      run('r3', 2, 'b a'),
      run('r4', 2, 'a b'),
    ];
    const x = groupRuns(runs);
    const ab = x.outcomes.find((o) => o.stdout === 'a b')!;
    const ba = x.outcomes.find((o) => o.stdout === 'b a')!;
    expect(perSetting(ab, x.runs)).toEqual([
      { setting: 'Go 1.27.4, GOMAXPROCS 1', count: 2, of: 2 },
      { setting: 'Go 1.27.4, GOMAXPROCS 2', count: 1, of: 2 },
    ]);
    expect(perSetting(ba, x.runs).map((c) => c.count)).toEqual([0, 1]);
    // One setting: nothing to tell apart.
    expect(perSetting(ab, runs.slice(0, 2))).toEqual([]);
  });
});
