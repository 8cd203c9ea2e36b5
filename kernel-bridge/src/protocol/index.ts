/**
 * @go-slowmo/kernel-bridge/protocol: the one definition of the wire protocol,
 * the event model, the state reducer, narration and checkpoints. It depends on
 * zod only, so the browser extension imports it as it is.
 */
export * from './events';
export * from './profile';
export * from './messages';
export * from './godebug';
export * from './leak';
export * from './runtime-trace';
export { RuntimeTraceReader, runtimeTracesOf } from './runtime-trace-read';
export * from './race';
export { RaceReader } from './race-read';
export { ProtocolError, parseEvent, formatPath, toProtocolError } from './parse';
export { IntMap, INTMAP_MAX_KEY } from './intmap';
export * from './state';
export {
  AddrMap,
  colorOf,
  EDGES_MAX,
  emptyHeap,
  fromDumps,
  liveObject,
  type AllocSite,
  type HeapDumpInfo,
  type HeapEdge,
  type HeapModel,
  type HeapSize,
  type HeapObject,
} from './heap';
export { apply, replay } from './reducer';
export * from './summary';
export * from './timeline';
export * from './words';
export * from './goroutines';
export * from './why';
export * from './wake';
export * from './narrate';
export * from './stacks';
export * from './endings';
export * from './checkwords';
export * from './checkpoints';
export * from './info';
export * from './class-grading';
export * from './outcomes';
export * from './notebook';
export * from './analysis/lanes';
export * from './analysis/goroutines';
export * from './analysis/patterns';
export * from './analysis/chrome-trace';
export * from './analysis/schedule';
export * from './analysis/blocked';
export * from './analysis/leak-compare';
export * from './analysis/schedtrace-check';
export * from './analysis/run-diff';
export * from './perturb';
