/**
 * An object's story in words, for its tooltip in the GC lens: when it was allocated, each
 * change of colour by cycle, its end; only what happened up to the event shown.
 */
import type { GraphObject } from './graph';

/** "L18#3, 16 bytes, allocated at event 140; cycle 1: grey at event 372, black at 374". */
export function objectStory(o: GraphObject, seq: number): string {
  const parts = [`${o.name}: ${o.size} bytes, allocated at event ${o.seq + 1}`];
  let cycle = -1;
  for (const [at, color, c] of o.history) {
    if (at > seq) break;
    const change = color === 'freed' ? `freed at event ${at + 1}` : `${color} at event ${at + 1}`;
    parts.push(c !== cycle && color !== 'freed' ? `cycle ${c}: ${change}` : change);
    if (color !== 'freed') cycle = c;
  }
  return parts.join('; ');
}
