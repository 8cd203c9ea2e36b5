/**
 * Each Go-slowmo cell that asks a prediction gets a PredictPanel between its
 * code and its output: made when the cell's metadata first holds a question,
 * redrawn when the answers or the run's outcomes change. The executor asks
 * the panel for an answer when a cell is run without one (asking.ts).
 */
import type { Cell, ICodeCellModel } from '@jupyterlab/cells';
import type { Notebook } from '@jupyterlab/notebook';
import type { PanelLayout } from '@lumino/widgets';
import { z } from 'zod';
import { METADATA_KEY } from '../metadata';
import { OutcomeSchema, RUN_MIME, type SavedOutcome } from '../recording';
import { registerAsker } from './asking';
import { moveRun } from './moments';
import { PredictPanel, type PanelSource } from './panel';
import { markLinePicks } from './line-picks';
import { isRevealed, linePicks, questionsOf, withAnswer } from './questions';

const panels = new WeakMap<Cell, PredictPanel>();

const Outcomes = z.array(OutcomeSchema);

/** The checkpoints' outcomes of the cell's saved recording ([] before a run). */
function outcomesOf(model: ICodeCellModel): SavedOutcome[] {
  for (let i = 0; i < model.outputs.length; i++) {
    const data = model.outputs.get(i).data[RUN_MIME] as { checkpoints?: unknown } | undefined;
    if (data === undefined) continue;
    const parsed = Outcomes.safeParse(data.checkpoints ?? []);
    return parsed.success ? parsed.data : [];
  }
  return [];
}

function sourceOf(cell: Cell): PanelSource {
  const model = cell.model as ICodeCellModel;
  return {
    questions: () => questionsOf(model.getMetadata(METADATA_KEY)),
    outcomes: () => outcomesOf(model),
    answer: (id, choice, revealed) => {
      const next = withAnswer(model.getMetadata(METADATA_KEY), id, choice, revealed);
      if (next) model.setMetadata(METADATA_KEY, next);
    },
    seek: (seq) => moveRun(cell.node, seq),
  };
}

/** The choices that are lines, shown on the code; pressed, each answers as its radio button does. */
function showPicks(cell: Cell, from: PanelSource): void {
  markLinePicks(cell.editor, linePicks(from.questions(), from.outcomes()), (id, choice) =>
    from.answer(id, choice, isRevealed(from.outcomes().find((o) => o.id === id))),
  );
}

/** Gives the cell its panel once it asks a question (and its DOM is built). */
export function attachPredict(cell: Cell): void {
  if (cell.model.type !== 'code' || panels.has(cell)) return;
  if (questionsOf(cell.model.getMetadata(METADATA_KEY)).length === 0) {
    // Not yet: a question may be added later (a lesson's cell is written whole, though).
    cell.model.metadataChanged.connect(function later() {
      if (questionsOf(cell.model.getMetadata(METADATA_KEY)).length === 0) return;
      cell.model.metadataChanged.disconnect(later);
      attachPredict(cell);
    });
    return;
  }
  const from = sourceOf(cell);
  const panel = new PredictPanel(from);
  panels.set(cell, panel);
  registerAsker(cell, () => panel.askFirst());
  void cell.ready.then(() => {
    const layout = cell.layout as PanelLayout;
    const at = layout.widgets.findIndex((w) => w.hasClass('jp-Cell-outputWrapper'));
    layout.insertWidget(at < 0 ? layout.widgets.length : at, panel);
    showPicks(cell, from);
  });
  const redraw = () => {
    panel.render();
    showPicks(cell, from);
  };
  cell.model.metadataChanged.connect(redraw);
  (cell.model as ICodeCellModel).outputs.changed.connect(redraw);
  cell.disposed.connect(() => panel.dispose());
}

export function attachAll(notebook: Notebook): void {
  for (const cell of notebook.widgets) attachPredict(cell);
}
