/**
 * Every word in the picture is readable in both themes: WCAG AA (4.5:1) for
 * text on whatever it sits on, and 3:1 for the outlines that tell shapes
 * apart from the background they are drawn on.
 */
import { contrast } from '../../src/picture/colors';
import { DARK, LIGHT, type Palette } from '../../src/picture/palette';

function pairs(p: Palette): [string, string, string][] {
  const out: [string, string, string][] = [
    ['ink on background', p.ink, p.background],
    ['muted on background', p.muted, p.background],
    ['ink on lane', p.ink, p.lane.fill],
    ['muted on lane', p.muted, p.lane.fill],
    ['muted on queue', p.muted, p.queue.fill],
    ['more', p.more.ink, p.more.fill],
    ['gc banner', p.banner.gc.ink, p.banner.gc.fill],
    ['stw banner', p.banner.stw.ink, p.banner.stw.fill],
    ['steal words', p.arrow.steal.ink, p.arrow.steal.fill],
    ['wake words', p.arrow.wake.ink, p.arrow.wake.fill],
  ];
  for (const [tone, paint] of Object.entries(p.proc)) {
    out.push([`ink on ${tone} P`, p.ink, paint.fill], [`muted on ${tone} P`, p.muted, paint.fill]);
  }
  for (const [state, paint] of Object.entries(p.thread)) {
    out.push([`M label (${state})`, paint.ink, paint.fill]);
  }
  return out;
}

describe.each([
  ['light', LIGHT],
  ['dark', DARK],
])('the %s palette', (_, palette) => {
  test.each(pairs(palette))('%s: at least 4.5:1', (_what, ink, fill) => {
    expect(contrast(ink, fill)).toBeGreaterThanOrEqual(4.5);
  });

  test('arrows stand out from the background (3:1)', () => {
    expect(contrast(palette.arrow.steal.stroke, palette.background)).toBeGreaterThanOrEqual(3);
    expect(contrast(palette.arrow.wake.stroke, palette.background)).toBeGreaterThanOrEqual(3);
  });
});
