/**
 * A class folder read through JupyterLab's contents manager, as the bridge's
 * `/api/class` takes it: its top-level folders and every notebook under it
 * with its text as the file holds it (a malformed one too: the grading names
 * what is wrong with it). The bridge groups them into learners (class.ts).
 */
import type { ClassRequest } from '@go-slowmo/kernel-bridge/protocol';
import type { Contents } from '@jupyterlab/services';

/** The notebook's text without its outputs, which nothing grades and recordings make large. */
export function withoutOutputs(text: string): string {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch {
    return text;
  }
  const cells = (nb as { cells?: unknown }).cells;
  if (!Array.isArray(cells)) return text;
  for (const c of cells as Record<string, unknown>[])
    if (c && typeof c === 'object' && Array.isArray(c.outputs)) c.outputs = [];
  return JSON.stringify(nb);
}

/** Its path inside `folder` ('' is Jupyter's root). */
const inside = (folder: string, p: string): string =>
  folder === '' ? p : p.slice(folder.length + 1);

export async function readClassFolder(
  contents: Contents.IManager,
  folder: string,
  onRead: (read: number, found: number) => void = () => {},
): Promise<ClassRequest> {
  const dir = await contents.get(folder, { content: true, type: 'directory' });
  const items = (dir.content ?? []) as Contents.IModel[];
  const folders = items.filter((i) => i.type === 'directory').map((i) => i.name);
  const paths: string[] = [];
  const walk = async (list: Contents.IModel[]): Promise<void> => {
    for (const item of list) {
      if (item.type === 'directory') {
        const sub = await contents.get(item.path, { content: true, type: 'directory' });
        await walk((sub.content ?? []) as Contents.IModel[]);
      } else if (item.name.endsWith('.ipynb')) paths.push(item.path);
    }
  };
  await walk(items);
  const notebooks: ClassRequest['notebooks'] = [];
  for (const p of paths) {
    onRead(notebooks.length, paths.length);
    let content: string;
    try {
      const file = await contents.get(p, { content: true, type: 'file', format: 'text' });
      content = withoutOutputs(String(file.content ?? ''));
    } catch (err) {
      // Sent as it is, so the learner's row says the notebook could not be read.
      content = `(Jupyter could not read it: ${(err as Error).message})`;
    }
    notebooks.push({ path: inside(folder, p), content });
  }
  onRead(notebooks.length, paths.length);
  return { name: folder === '' ? '/' : folder, folders, notebooks };
}
