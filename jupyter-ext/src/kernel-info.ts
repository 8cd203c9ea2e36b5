/**
 * Opening a notebook does not modify it. When its kernel connects, JupyterLab
 * writes what the kernel says about itself into the notebook's metadata
 * (`language_info`, with this machine's Python version, and `kernelspec`),
 * which marks a notebook that was only opened as modified, and autosave then
 * rewrites the file: every lesson a learner opened would change on disk. A
 * notebook that was clean stays clean when that self-description of the
 * kernel it already names is the only change. The metadata stays as
 * JupyterLab set it and is saved with the next real change; a different
 * kernel (a learner's choice) or a notebook that named none still marks the
 * notebook modified, as JupyterLab intends.
 */
import type { INotebookModel } from '@jupyterlab/notebook';

/** The metadata keys JupyterLab sets from the kernel when it connects. */
const KERNEL_KEYS = new Set(['language_info', 'kernelspec']);

export interface MetadataChange {
  action: 'add' | 'update' | 'delete';
  oldValue?: unknown;
}

/**
 * Whether a change of the notebook's metadata is only the connected kernel
 * describing itself: `language_info`, or a `kernelspec` whose name the
 * notebook already had (`kernelName` is the name after the change).
 */
export function isKernelSelfDescription(
  changes: ReadonlyMap<string, MetadataChange>,
  kernelName: string | undefined,
): boolean {
  if (changes.size === 0) return false;
  for (const [key, change] of changes) {
    if (!KERNEL_KEYS.has(key) || change.action === 'delete') return false;
    if (key === 'kernelspec') {
      const before = (change.oldValue as { name?: unknown } | undefined)?.name;
      if (change.action !== 'update' || before === undefined || before !== kernelName) return false;
    }
  }
  return true;
}

/** Keeps `model` clean when the kernel's self-description is all that changed it. */
export function keepCleanOnKernelInfo(model: INotebookModel): void {
  // Set by a metadata change and read by the dirty flag that the same
  // setMetadata call raises right after it; forgotten once that call is over.
  let selfDescription = false;
  model.sharedModel.changed.connect((_, change) => {
    const metadata = change.metadataChange as ReadonlyMap<string, MetadataChange> | undefined;
    if (!metadata) return;
    const spec = model.getMetadata('kernelspec') as { name?: string } | undefined;
    selfDescription = isKernelSelfDescription(metadata, spec?.name);
    queueMicrotask(() => (selfDescription = false));
  });
  model.stateChanged.connect((_, change) => {
    if (change.name !== 'dirty' || change.newValue !== true || !selfDescription) return;
    selfDescription = false;
    model.dirty = false;
  });
}
