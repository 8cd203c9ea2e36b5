/**
 * A Go-slowmo cell option as a plugin of its own: a toggle in the cell's
 * context menu and the palette (category Go-slowmo), ticked when the active
 * cell's `metadata.slowmo` has it. Not in the cell toolbar: JupyterLab hides
 * a toolbar wider than half the cell, and it is full.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, type Notebook } from '@jupyterlab/notebook';
import { isSlowmo, METADATA_KEY } from './metadata';

type Meta = Record<string, unknown>;

export interface CellOption {
  /** The plugin's id after `@go-slowmo/jupyter-ext:`, and the command's after `slowmo:toggle-`. */
  name: string;
  description: string;
  label: string;
  caption: string;
  isOn(meta: Meta): boolean;
  /** Turns it on or off in `meta` (a copy, written back whole). */
  toggle(meta: Meta): void;
}

/** The active cell's `metadata.slowmo` (a copy), or null when it is no Go-slowmo cell. */
function activeMeta(notebook: Notebook | null): Meta | null {
  const cell = notebook?.activeCell;
  if (!cell || !isSlowmo(cell.model.metadata)) return null;
  return { ...(cell.model.getMetadata(METADATA_KEY) as Meta) };
}

/** A boolean field of the metadata, present only when true. */
export function flag(field: string): Pick<CellOption, 'isOn' | 'toggle'> {
  return {
    isOn: (meta) => meta[field] === true,
    toggle: (meta) => {
      if (meta[field] === true) delete meta[field];
      else meta[field] = true;
    },
  };
}

export function cellOptionPlugin(option: CellOption): JupyterFrontEndPlugin<void> {
  const command = `slowmo:toggle-${option.name}`;
  return {
    id: `@go-slowmo/jupyter-ext:${option.name}`,
    description: option.description,
    autoStart: true,
    requires: [INotebookTracker],
    optional: [ICommandPalette],
    activate: (
      app: JupyterFrontEnd,
      tracker: INotebookTracker,
      palette: ICommandPalette | null,
    ): void => {
      const active = () => tracker.currentWidget?.content ?? null;
      app.commands.addCommand(command, {
        label: option.label,
        caption: option.caption,
        isToggled: () => {
          const meta = activeMeta(active());
          return meta !== null && option.isOn(meta);
        },
        isVisible: () => activeMeta(active()) !== null,
        execute: () => {
          const nb = active();
          const meta = activeMeta(nb);
          if (!nb?.activeCell || meta === null) return;
          option.toggle(meta);
          nb.activeCell.model.setMetadata(METADATA_KEY, meta);
          app.commands.notifyCommandChanged(command);
        },
      });
      app.contextMenu.addItem({ command, selector: '.jp-slowmo-cell', rank: 24 });
      palette?.addItem({ command, category: 'Go-slowmo' });
      tracker.activeCellChanged.connect(() => app.commands.notifyCommandChanged(command));
    },
  };
}
