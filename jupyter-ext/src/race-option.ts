/**
 * The race-detector plugin: a Go-slowmo cell option, in its context menu and the palette, that
 * builds the program with `-race` (the cell's `race`). Each data race the detector reports
 * comes as a mark on the timeline and an entry under the picture naming the two accesses and
 * their lines; the report itself stays in the output.
 */
import { cellOptionPlugin, flag } from './cell-option';

export const raceOptionPlugin = cellOptionPlugin({
  name: 'race',
  description: 'A Go-slowmo cell option: build with the race detector (-race).',
  label: 'Race Detector (build with -race)',
  caption:
    'Build the program with Go’s race detector: each data race it finds (two goroutines touching the same memory, one writing, with nothing ordering them) is marked on the timeline and listed under the picture with its two lines. The build takes longer the first time.',
  ...flag('race'),
});
