/**
 * Making and marking Go-slowmo cells: a command toggles a code cell into one
 * (and back), another inserts a new one with a starter program; every such
 * cell gets a badge, a colour, and Go highlighting (re-asserted whenever the
 * notebook resets code cells to its kernel's language).
 */
import type { Cell } from '@jupyterlab/cells';
import { NotebookActions, type Notebook } from '@jupyterlab/notebook';
import { DEFAULT_METADATA, GO_MIME, isSlowmo, METADATA_KEY } from './metadata';

export const CELL_CLASS = 'jp-slowmo-cell';

export const STARTER = `package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Println("hello from goroutine", i)
		}()
	}
	wg.Wait()
}
`;

const watched = new WeakSet<Cell>();

/** Marks one cell according to its metadata, and keeps it marked as it changes. */
export function markCell(cell: Cell): void {
  const apply = (): void => {
    const on = cell.model.type === 'code' && isSlowmo(cell.model.metadata);
    cell.toggleClass(CELL_CLASS, on);
    if (on && cell.model.mimeType !== GO_MIME) cell.model.mimeType = GO_MIME;
  };
  apply();
  if (!watched.has(cell)) {
    watched.add(cell);
    cell.model.metadataChanged.connect(apply);
    cell.model.mimeTypeChanged.connect(apply);
  }
}

export function markAll(notebook: Notebook): void {
  for (const cell of notebook.widgets) markCell(cell);
}

/** Turns the active cell into a Go-slowmo cell, or back into a plain code cell. */
export function toggleActive(notebook: Notebook): void {
  const cell = notebook.activeCell;
  if (!cell) return;
  if (cell.model.type !== 'code') {
    NotebookActions.changeCellType(notebook, 'code');
  }
  const active = notebook.activeCell!;
  if (isSlowmo(active.model.metadata)) {
    active.model.deleteMetadata(METADATA_KEY);
  } else {
    active.model.setMetadata(METADATA_KEY, { ...DEFAULT_METADATA });
  }
  markCell(active);
}

export type Mode = 'record' | 'paced';

/** The active Go-slowmo cell's mode, or null when the active cell is not one. */
export function activeMode(notebook: Notebook | null): Mode | null {
  const cell = notebook?.activeCell;
  if (!cell || !isSlowmo(cell.model.metadata)) return null;
  const meta = cell.model.getMetadata(METADATA_KEY) as { mode?: string } | undefined;
  return meta?.mode === 'paced' ? 'paced' : 'record';
}

/**
 * Switches the active Go-slowmo cell between recording at full speed and
 * slow motion (paced: the real program paused at each event), in its metadata.
 */
export function toggleMode(notebook: Notebook): void {
  const cell = notebook.activeCell;
  if (!cell || !isSlowmo(cell.model.metadata)) return;
  const meta = { ...(cell.model.getMetadata(METADATA_KEY) as Record<string, unknown>) };
  meta.mode = meta.mode === 'paced' ? 'record' : 'paced';
  cell.model.setMetadata(METADATA_KEY, meta);
}

/** Whether the active slow-motion cell lets sysmon see its pauses; null when not a slow-motion cell. */
export function activeSysmon(notebook: Notebook | null): 'hide-pauses' | 'see-pauses' | null {
  if (activeMode(notebook) !== 'paced') return null;
  const meta = notebook!.activeCell!.model.getMetadata(METADATA_KEY) as { sysmon?: string };
  return meta?.sysmon === 'see-pauses' ? 'see-pauses' : 'hide-pauses';
}

/** Lets sysmon see the pauses of slow motion, or hides them from it (the default). */
export function toggleSysmon(notebook: Notebook): void {
  const cell = notebook.activeCell;
  if (!cell || activeMode(notebook) !== 'paced') return;
  const meta = { ...(cell.model.getMetadata(METADATA_KEY) as Record<string, unknown>) };
  meta.sysmon = meta.sysmon === 'see-pauses' ? 'hide-pauses' : 'see-pauses';
  cell.model.setMetadata(METADATA_KEY, meta);
}

/** The active Go-slowmo cell's own metadata, or null when the active cell is not one. */
function activeMeta(notebook: Notebook | null): Record<string, unknown> | null {
  const cell = notebook?.activeCell;
  if (!cell || !isSlowmo(cell.model.metadata)) return null;
  return { ...(cell.model.getMetadata(METADATA_KEY) as Record<string, unknown>) };
}

/** Whether the active Go-slowmo cell records with the GC lens; null when not a Go-slowmo cell. */
export function activeGc(notebook: Notebook | null): boolean | null {
  const meta = activeMeta(notebook);
  return meta === null ? null : meta.gc === true;
}

/** Turns the GC lens on or off for the active Go-slowmo cell (`gc: true` in its metadata). */
export function toggleGc(notebook: Notebook): void {
  const meta = activeMeta(notebook);
  if (meta === null) return;
  if (meta.gc === true) {
    delete meta.gc;
    delete meta.gcExperiment;
  } else meta.gc = true;
  notebook.activeCell!.model.setMetadata(METADATA_KEY, meta);
}

/** Whether the active Go-slowmo cell collects the runtime's profiles; null when not a Go-slowmo cell. */
export function activeProfile(notebook: Notebook | null): boolean | null {
  const meta = activeMeta(notebook);
  return meta === null ? null : meta.profile === true;
}

/** Turns the runtime's profiles on or off for the active Go-slowmo cell (`profile: true` in its metadata). */
export function toggleProfile(notebook: Notebook): void {
  const meta = activeMeta(notebook);
  if (meta === null) return;
  if (meta.profile === true) delete meta.profile;
  else meta.profile = true;
  notebook.activeCell!.model.setMetadata(METADATA_KEY, meta);
}

/** The GOMAXPROCS values a learner is offered: the cell's menu and the explorer's sweep dialog. */
export const PROCS_VALUES = [1, 2, 4, 8] as const;

/** What the cell's context menu offers; undefined: the machine's, as Go decides. */
export const PROCS_CHOICES = [undefined, ...PROCS_VALUES] as const;

/** The active Go-slowmo cell's GOMAXPROCS (undefined: the machine's); null when not a Go-slowmo cell. */
export function activeProcs(notebook: Notebook | null): number | undefined | null {
  const meta = activeMeta(notebook);
  if (meta === null) return null;
  return typeof meta.gomaxprocs === 'number' ? meta.gomaxprocs : undefined;
}

/** Sets the active cell's GOMAXPROCS (undefined: the machine's). */
export function setProcs(notebook: Notebook, procs: number | undefined): void {
  const meta = activeMeta(notebook);
  if (meta === null) return;
  if (procs === undefined) delete meta.gomaxprocs;
  else meta.gomaxprocs = procs;
  notebook.activeCell!.model.setMetadata(METADATA_KEY, meta);
}

/** The active Go-slowmo cell's Go version (undefined: the newest installed); null when not a Go-slowmo cell. */
export function activeGo(notebook: Notebook | null): string | undefined | null {
  const meta = activeMeta(notebook);
  if (meta === null) return null;
  return typeof meta.goVersion === 'string' ? meta.goVersion : undefined;
}

/** Sets the active cell's Go version (undefined: the newest installed). */
export function setGo(notebook: Notebook, version: string | undefined): void {
  const meta = activeMeta(notebook);
  if (meta === null) return;
  if (version === undefined) delete meta.goVersion;
  else meta.goVersion = version;
  notebook.activeCell!.model.setMetadata(METADATA_KEY, meta);
}

/** Whether a cell's Go version has Green Tea by default (1.26+; no version: the newest installed). */
export function greenTea(goVersion: unknown): boolean {
  const m = /^(?:go)?1\.(\d+)/.exec(typeof goVersion === 'string' ? goVersion : '');
  return m === null || Number(m[1]) >= 26;
}

/**
 * The per-object marking choice of the active cell: null when it is not offered (no GC lens,
 * or a Go version that marks per object anyway), else whether it is chosen.
 */
export function activePerObject(notebook: Notebook | null): boolean | null {
  const meta = activeMeta(notebook);
  if (meta === null || meta.gc !== true || !greenTea(meta.goVersion)) return null;
  return meta.gcExperiment === 'nogreenteagc';
}

/** Builds the active cell with GOEXPERIMENT=nogreenteagc, or with the default collector again. */
export function togglePerObject(notebook: Notebook): void {
  const meta = activeMeta(notebook);
  if (meta === null || meta.gc !== true) return;
  if (meta.gcExperiment === 'nogreenteagc') delete meta.gcExperiment;
  else meta.gcExperiment = 'nogreenteagc';
  notebook.activeCell!.model.setMetadata(METADATA_KEY, meta);
}

/** Inserts a Go-slowmo cell with a starter program below the active cell. */
export function insertNew(notebook: Notebook, source = STARTER): Cell | null {
  NotebookActions.insertBelow(notebook);
  if (notebook.activeCell?.model.type !== 'code') NotebookActions.changeCellType(notebook, 'code');
  const cell = notebook.activeCell;
  if (!cell) return null;
  cell.model.setMetadata(METADATA_KEY, { ...DEFAULT_METADATA });
  cell.model.sharedModel.setSource(source);
  markCell(cell);
  return cell;
}
