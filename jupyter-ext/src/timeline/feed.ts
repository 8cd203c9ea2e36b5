/**
 * The lanes of a run as its events arrive: the protocol's LaneBuilder, fed
 * from the run's Timeline from where it stopped, so a live run costs only
 * its new events per frame.
 */
import { LaneBuilder, type Lanes, type Timeline } from '@go-slowmo/kernel-bridge/protocol';

export class LaneFeed {
  private readonly builder = new LaneBuilder();
  private fed = 0;

  /** The lanes up to the timeline's last event. */
  sync(timeline: Timeline): Lanes {
    const n = timeline.length;
    for (let seq = this.fed; seq < n; seq++) this.builder.append(timeline.event(seq)!);
    this.fed = n;
    return this.builder.lanes();
  }
}
