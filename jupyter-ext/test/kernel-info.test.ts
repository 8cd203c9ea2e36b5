/**
 * Which metadata changes are a kernel describing itself when it connects
 * (they leave a notebook that was only opened unmodified), and which are a
 * learner's doing. The whole path, in a real JupyterLab opening every lesson,
 * is ui-tests/lessons.ui.test.ts.
 */
import { isKernelSelfDescription, type MetadataChange } from '../src/kernel-info';

const update = (oldValue: unknown) => ({ action: 'update' as const, oldValue });

describe('a kernel describing itself', () => {
  it('is language_info set or changed, and the kernelspec of the kernel the notebook names', () => {
    expect(
      isKernelSelfDescription(new Map([['language_info', update({ name: 'python' })]]), 'python3'),
    ).toBe(true);
    expect(
      isKernelSelfDescription(new Map([['language_info', { action: 'add' as const }]]), 'python3'),
    ).toBe(true);
    expect(
      isKernelSelfDescription(
        new Map([['kernelspec', update({ name: 'python3', display_name: 'Python 3' })]]),
        'python3',
      ),
    ).toBe(true);
  });

  it('is not another kernel, a first kernel, a removal or any other metadata', () => {
    expect(
      isKernelSelfDescription(new Map([['kernelspec', update({ name: 'python3' })]]), 'julia'),
    ).toBe(false);
    expect(
      isKernelSelfDescription(new Map([['kernelspec', { action: 'add' as const }]]), 'python3'),
    ).toBe(false);
    expect(
      isKernelSelfDescription(
        new Map([['language_info', { action: 'delete' as const }]]),
        undefined,
      ),
    ).toBe(false);
    expect(
      isKernelSelfDescription(
        new Map<string, MetadataChange>([
          ['language_info', update({})],
          ['authors', { action: 'add' as const }],
        ]),
        'python3',
      ),
    ).toBe(false);
    expect(isKernelSelfDescription(new Map(), 'python3')).toBe(false);
  });
});
