/**
 * A cell's `slowmo` metadata becomes its run request: the GC lens's options
 * pass through, and a wrong one is refused naming its field.
 */
import { cellRunRequest, parseMetadata } from '../src/protocol';

describe("a cell's options", () => {
  test('gc and gcExperiment reach the run request', () => {
    const meta = parseMetadata({ gc: true, gcExperiment: 'nogreenteagc', gomaxprocs: 2 });
    expect(cellRunRequest('c1', 'package main', meta)).toMatchObject({
      gc: true,
      gcExperiment: 'nogreenteagc',
      gomaxprocs: 2,
    });
  });

  test('without them the request has neither', () => {
    const request = cellRunRequest('c1', 'package main', parseMetadata({}));
    expect(Object.keys(request)).not.toContain('gc');
    expect(Object.keys(request)).not.toContain('gcExperiment');
  });

  test('an unknown experiment is refused, naming the field', () => {
    expect(() => parseMetadata({ gcExperiment: 'greenteagc' })).toThrow(/gcExperiment/);
  });
});
