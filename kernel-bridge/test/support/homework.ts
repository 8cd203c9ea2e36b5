/**
 * A class's homework for the grading tests (slowmo check --class, POST
 * /api/class): a program that starts `n` goroutines, a checkpoint that
 * passes at three, and a prediction of how many it starts.
 */
export const homeworkProgram = (n: number): string => `package main

import "sync"

func main() {
	var wg sync.WaitGroup
	for i := 0; i < ${n}; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
}
`;

const created = (n: number) => ({
  type: 'event',
  kind: 'g.create',
  where: { fn: 'main.main.func1' },
  min: n,
  max: n,
});

/** The checkpoints, with the learner's `answers` to the prediction. */
export const homeworkCheckpoints = (answers: string[]) => [
  { id: 'three', title: 'three goroutines', hint: 'three go statements', check: created(3) },
  {
    id: 'how-many',
    title: 'how many goroutines',
    check: {
      type: 'predict',
      question: 'How many goroutines will main start?',
      choices: [
        { id: '2', label: 'two', check: created(2) },
        { id: '3', label: 'three', check: created(3) },
      ],
      answers,
    },
  },
];

/** One learner's hand-in, as notebook JSON: the program starting `n`, the prediction answered `answer`. */
export function homeworkNotebook(n: number, answer: string): string {
  const slowmo = { backend: 'ebpf', checkpoints: homeworkCheckpoints([answer]) };
  const cell = { cell_type: 'code', source: homeworkProgram(n), metadata: { slowmo }, outputs: [] };
  return JSON.stringify({ cells: [cell], metadata: {}, nbformat: 4, nbformat_minor: 5 });
}
