import { legendNode } from '../../src/picture/legend';

describe('legendNode', () => {
  const legend = legendNode();
  const items = [...legend.querySelectorAll('.jp-slowmo-legend-item')];
  const words = items.map((i) => i.querySelector('.jp-slowmo-legend-text')?.textContent ?? '');

  test('explains every kind of thing in the picture, each with a swatch', () => {
    for (const needle of [
      /^P: a processor/,
      /^M: an OS thread/,
      /running on that P/,
      /runnext/,
      /local run queue/,
      /global run queue/,
      /waiting/,
      /system call/,
      /spinning M/,
      /idle M/,
      /runtime's own/,
      /\bmore\b/,
      /inferred/,
      /stop|stopped/i,
    ]) {
      expect(words.some((w) => needle.test(w))).toBe(true);
    }
    for (const item of items) {
      const svg = item.querySelector('svg');
      expect(svg).not.toBeNull();
      expect(svg!.getAttribute('aria-hidden')).toBe('true');
    }
  });

  test('is a list for screen readers', () => {
    expect(legend.getAttribute('role')).toBe('list');
    expect(items.every((i) => i.getAttribute('role') === 'listitem')).toBe(true);
  });
});
