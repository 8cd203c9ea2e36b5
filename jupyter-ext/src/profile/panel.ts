/**
 * The run's profiles as the run widget shows them, under the picture: a tab per profile the
 * run collected, a caption saying what it measures and its total, the choice to see the
 * runtime's and libraries' frames too (the learner's own code alone by default), the flame
 * graph, and under it what the picked frame holds: its line, lit in the cell's code, and for
 * the profiles of waiting (block, mutex, wall) the moments of the recording at which a
 * goroutine parked there, each a link that moves the picture.
 */
import { profileValueWords } from '@go-slowmo/kernel-bridge/protocol';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { Message } from '@lumino/messaging';
import { currentPalette } from '../picture/palette';
import { drawFlame, type Drawn } from './draw';
import { buildTree, OUTSIDE, type FlameNode, type ProfileEvent } from './tree';
import {
  captionOf,
  frameWords,
  momentWords,
  TAB_LABEL,
  WAITING_PROFILES,
  type WaitMoment,
} from './words';

/** Moments listed under a frame before "and N more". */
const MOMENTS_SHOWN = 12;

function el(cls: string, tag = 'div'): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}

/** A frame the learner picked: the line to light. */
export interface PickedLine {
  readonly fn: string;
  readonly file: string;
  readonly line: number;
  /** What the frame holds, for the lit line's hover. */
  readonly words: string;
}

export class ProfilePanel extends Widget {
  /** A frame of the learner's code was picked: light its line. */
  readonly linePicked = new Signal<this, PickedLine>(this);
  /** A moment was picked: move the picture there. */
  readonly momentPicked = new Signal<this, number>(this);
  private readonly tabs = el('jp-slowmo-flame-tabs');
  private readonly allBox = document.createElement('input');
  private readonly caption = el('jp-slowmo-flame-caption');
  private readonly host = el('jp-slowmo-flame-host');
  private readonly detail = el('jp-slowmo-flame-detail');
  private readonly tip = el('jp-slowmo-tip jp-slowmo-flame-tip');
  private profiles: ProfileEvent[] = [];
  private kind: ProfileEvent['profile'] | null = null;
  private tree: FlameNode | null = null;
  private drawn: Drawn | null = null;
  private selected: FlameNode | null = null;
  private width = 0;
  private dark = false;
  private themeWatch: MutationObserver | null = null;
  private sizeWatch: ResizeObserver | null = null;
  /** Finds the moments a goroutine waited at a line (the run widget's recording). */
  private waits: (file: string, line: number) => WaitMoment[] = () => [];

  constructor() {
    super();
    this.addClass('jp-slowmo-flame');
    const bar = el('jp-slowmo-flame-bar');
    const title = el('jp-slowmo-flame-title', 'span');
    title.textContent = 'Profiles';
    this.tabs.setAttribute('role', 'tablist');
    this.tabs.setAttribute('aria-label', 'Profile');
    const all = el('jp-slowmo-flame-all', 'label');
    this.allBox.type = 'checkbox';
    this.allBox.onchange = () => this.redraw(true);
    all.title =
      'Also show the frames of the runtime and the standard library (the learner’s own code alone by default)';
    all.append(this.allBox, document.createTextNode(' show the runtime and libraries'));
    bar.append(title, this.tabs, all);
    this.tip.hidden = true;
    this.tip.setAttribute('role', 'tooltip');
    this.detail.textContent = 'Click a frame to light its line in the cell’s code.';
    this.node.append(bar, this.caption, this.host, this.detail, this.tip);
    this.host.addEventListener('mousemove', (e) => this.hover(e));
    this.host.addEventListener('mouseleave', () => (this.tip.hidden = true));
    this.host.addEventListener('click', (e) => this.click(e));
    (this.node as unknown as { slowmoProfiles: ProfilePanel }).slowmoProfiles = this;
  }

  /** The profiles to show (drawn again only when they change), and where moments are found. */
  showProfiles(
    profiles: ProfileEvent[],
    waits: (file: string, line: number) => WaitMoment[],
  ): void {
    this.waits = waits;
    if (
      profiles.length === this.profiles.length &&
      profiles.every((p, i) => p === this.profiles[i])
    )
      return;
    this.profiles = profiles;
    if (this.kind === null || !profiles.some((p) => p.profile === this.kind))
      this.kind = profiles[0]?.profile ?? null;
    this.renderTabs();
    this.redraw(true);
  }

  /** The profile shown now. */
  get current(): ProfileEvent | undefined {
    return this.profiles.find((p) => p.profile === this.kind);
  }

  /** Shows one profile (a tab's click; tests). */
  choose(kind: ProfileEvent['profile']): void {
    if (kind === this.kind) return;
    this.kind = kind;
    this.renderTabs();
    this.redraw(true);
  }

  private renderTabs(): void {
    this.tabs.replaceChildren(
      ...this.profiles.map((p) => {
        const b = el('jp-slowmo-flame-tab', 'button') as HTMLButtonElement;
        b.type = 'button';
        b.textContent = TAB_LABEL[p.profile];
        b.setAttribute('role', 'tab');
        b.setAttribute('aria-selected', String(p.profile === this.kind));
        b.dataset.profile = p.profile;
        b.onclick = () => this.choose(p.profile);
        return b;
      }),
    );
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (typeof MutationObserver !== 'undefined' && this.themeWatch === null) {
      this.themeWatch = new MutationObserver(() => this.redraw(false));
      this.themeWatch.observe(document.body, {
        attributes: true,
        attributeFilter: ['data-jp-theme-light'],
      });
    }
    if (typeof ResizeObserver !== 'undefined' && this.sizeWatch === null) {
      this.sizeWatch = new ResizeObserver(() => {
        if (this.host.clientWidth !== this.width) this.redraw(false);
      });
      this.sizeWatch.observe(this.host);
    }
    this.redraw(false);
  }

  protected override onBeforeDetach(msg: Message): void {
    this.themeWatch?.disconnect();
    this.themeWatch = null;
    this.sizeWatch?.disconnect();
    this.sizeWatch = null;
    super.onBeforeDetach(msg);
  }

  /** Draws the current profile; `rebuild` makes its tree again (another profile, or the filter). */
  private redraw(rebuild: boolean): void {
    const profile = this.current;
    if (profile === undefined) {
      this.tree = null;
      this.host.replaceChildren();
      this.caption.textContent = 'This run collected no profiles.';
      return;
    }
    if (rebuild || this.tree === null) {
      this.tree = buildTree(profile, this.allBox.checked);
      this.selected = null;
      this.detail.textContent = 'Click a frame to light its line in the cell’s code.';
    }
    const total = this.tree.value;
    const cut = profile.truncated
      ? ' (the smallest samples were left out to keep the profile small)'
      : '';
    this.caption.textContent = `${captionOf(profile, total)}${cut}`;
    this.node.dataset.profile = profile.profile;
    this.width = this.host.clientWidth || 900;
    this.dark = currentPalette().dark;
    if (total <= 0) {
      this.drawn = null;
      const empty = el('jp-slowmo-flame-empty');
      empty.textContent =
        profile.profile === 'mutex'
          ? 'No contention: no goroutine waited for a mutex another held.'
          : 'Nothing was recorded in this profile.';
      this.host.replaceChildren(empty);
      return;
    }
    const all = `all · ${profileValueWords(total, profile.unit)}`;
    this.drawn = drawFlame(this.tree, this.width, this.dark, this.selected, all);
    this.host.replaceChildren(this.drawn.svg);
  }

  private boxAt(e: Event): FlameNode | null {
    const g = (e.target as Element | null)?.closest?.(
      '.jp-slowmo-flame-frame',
    ) as SVGGElement | null;
    const i = Number(g?.dataset.i);
    return (g && this.drawn?.boxes[i]?.node) ?? null;
  }

  private hover(e: MouseEvent): void {
    const node = this.boxAt(e);
    const profile = this.current;
    if (node === null || profile === undefined || this.tree === null) {
      this.tip.hidden = true;
      return;
    }
    this.tip.replaceChildren(
      ...frameWords(node, profile, this.tree.value, node === this.tree).map((line, i) => {
        const d = document.createElement('div');
        d.textContent = line;
        if (i === 0) d.style.fontWeight = '600';
        return d;
      }),
    );
    this.tip.hidden = false;
    const box = this.node.getBoundingClientRect();
    const x = Math.min(e.clientX - box.left + 12, Math.max(0, box.width - 300));
    this.tip.style.left = `${x}px`;
    this.tip.style.top = `${e.clientY - box.top + 16}px`;
  }

  private click(e: MouseEvent): void {
    const node = this.boxAt(e);
    if (node !== null && node !== this.tree) {
      // The words under the graph say it now, where the tip would cover them.
      this.tip.hidden = true;
      this.pick(node);
    }
  }

  /** Picks a frame: ringed, its line lit when it is the learner's, its moments listed. */
  pick(node: FlameNode): void {
    const profile = this.current;
    if (profile === undefined || this.tree === null) return;
    this.selected = node;
    this.redraw(false);
    const words = frameWords(node, profile, this.tree.value, false);
    const head = el('jp-slowmo-flame-picked');
    head.textContent = words.join(' · ');
    this.detail.replaceChildren(head);
    if (node.fn === OUTSIDE || !node.own || node.line <= 0) {
      const note = el('jp-slowmo-flame-note');
      note.textContent =
        node.fn === OUTSIDE
          ? 'Samples in which none of your functions was on the stack: the runtime’s own goroutines (the collector, the scheduler) or the standard library.'
          : 'Not your code: no line of the cell to light.';
      this.detail.append(note);
      return;
    }
    this.linePicked.emit({
      fn: node.fn,
      file: node.file,
      line: node.line,
      words: words.slice(1).join(' · '),
    });
    const lit = el('jp-slowmo-flame-note');
    lit.textContent = `Line ${node.line} is lit in the cell’s code above.`;
    this.detail.append(lit);
    if (WAITING_PROFILES.has(profile.profile)) this.listMoments(node, profile);
  }

  private listMoments(node: FlameNode, profile: ProfileEvent): void {
    const moments = this.waits(node.file, node.line);
    const box = el('jp-slowmo-flame-moments');
    if (moments.length === 0) {
      box.textContent =
        profile.profile === 'mutex'
          ? `No goroutine parked at line ${node.line} in the recording: the mutex profile charges the wait to where the lock was released, so look at the lines that call Lock.`
          : `No goroutine parked at line ${node.line} in the recording.`;
      this.detail.append(box);
      return;
    }
    const label = el('jp-slowmo-flame-moments-label', 'span');
    const times = moments.length === 1 ? 'Once' : `${moments.length} times`;
    label.textContent = `${times} in the recording a goroutine parked at line ${node.line}:`;
    box.append(label);
    for (const m of moments.slice(0, MOMENTS_SHOWN)) {
      const b = el('jp-slowmo-flame-moment', 'button') as HTMLButtonElement;
      b.type = 'button';
      b.textContent = momentWords(m);
      b.title = `Show the picture at this moment (event ${m.seq + 1})`;
      b.dataset.seq = String(m.seq);
      b.onclick = () => this.momentPicked.emit(m.seq);
      box.append(b);
    }
    if (moments.length > MOMENTS_SHOWN) {
      const more = el('jp-slowmo-flame-more', 'span');
      more.textContent = `and ${moments.length - MOMENTS_SHOWN} more`;
      box.append(more);
    }
    this.detail.append(box);
  }

  override dispose(): void {
    this.themeWatch?.disconnect();
    this.sizeWatch?.disconnect();
    super.dispose();
  }
}
