/**
 * The leak-detector plugin: a Go-slowmo cell option, in its context menu and the palette, that
 * asks the runtime's own goroutine leak detector as the program's main returns (the cell's
 * `leakProfile`; Go 1.26 and later). When main leaves goroutines blocked, the failure lens
 * shows beside each of its groups whether the runtime's detector agrees, and why the two may
 * differ.
 */
import { cellOptionPlugin, flag } from './cell-option';

export const leakDetectorPlugin = cellOptionPlugin({
  name: 'leak-detector',
  description: "A Go-slowmo cell option: the runtime's own goroutine leak detector (Go 1.26+).",
  label: 'Runtime’s Leak Detector (Go 1.26+)',
  caption:
    'As main returns, ask the runtime’s own goroutine leak detector (a GC cycle that finds goroutines blocked on what nothing running can reach) and show beside the leak lens whether it agrees. Go 1.26 builds with GOEXPERIMENT=goroutineleakprofile for it (the first build takes longer); Go 1.27 has it always.',
  ...flag('leakProfile'),
});
