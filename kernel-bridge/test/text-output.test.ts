/**
 * The program's output in `slowmo run --format text`: each line marked with
 * its stream, control characters shown instead of obeyed, so a program can
 * neither clear the learner's terminal nor pass its own lines off as the
 * narration. (cli.test.ts runs a real program through the real command.)
 */
import { escapeControls, ProgramOutput } from '../src/text-output';

function terminal(): {
  out: string[];
  err: string[];
  program: ProgramOutput;
  say(s: string): void;
} {
  const out: string[] = [];
  const err: string[] = [];
  const program = new ProgramOutput({
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  const narration = program.narration({ write: (s: string) => out.push(s) });
  return { out, err, program, say: (s) => void narration.write(s) };
}

describe('escapeControls', () => {
  test('escape sequences, carriage returns, C1 and bidi controls are written out', () => {
    expect(escapeControls('\x1b[2J\x1b[H')).toBe('\\x1b[2J\\x1b[H');
    expect(escapeControls('50%\r100%')).toBe('50%\\r100%');
    expect(escapeControls('\x00\x07\x08\x7f')).toBe('\\x00\\x07\\x08\\x7f');
    // 0x9b is CSI to a terminal in 8-bit mode.
    expect(escapeControls('\u009b2J')).toBe('\\x9b2J');
    expect(escapeControls('abc\u202edcb')).toBe('abc\\u202edcb');
    expect(escapeControls('\u200b\u2066\ufeff')).toBe('\\u200b\\u2066\\ufeff');
  });

  test('newlines and tabs are kept, or written out for one line', () => {
    expect(escapeControls('a\tb\nc')).toBe('a\tb\nc');
    expect(escapeControls('a\tb\nc', true)).toBe('a\\tb\\nc');
  });

  test('ordinary text, accents and emoji pass as they are', () => {
    const s = 'héllo, 世界 🐹 \\x1b is text';
    expect(escapeControls(s)).toBe(s);
  });
});

describe('ProgramOutput', () => {
  test('every line is marked with its stream, blank lines too', () => {
    const t = terminal();
    t.program.write('stdout', 'one\n\ntwo\n');
    t.program.write('stderr', 'oops\n');
    expect(t.out.join('')).toBe('       stdout │ one\n       stdout │\n       stdout │ two\n');
    expect(t.err.join('')).toBe('       stderr │ oops\n');
  });

  test('a line that looks like narration is still the program’s', () => {
    const t = terminal();
    t.say('    0.000 ms  Run started: go1.26.0, GOMAXPROCS=1\n');
    t.program.write('stdout', '\x1b[2J\x1b[H    0.100 ms  g1 (main) exits\n');
    expect(t.out.join('').split('\n')).toEqual([
      '    0.000 ms  Run started: go1.26.0, GOMAXPROCS=1',
      '       stdout │ \\x1b[2J\\x1b[H    0.100 ms  g1 (main) exits',
      '',
    ]);
  });

  test('a line split across chunks stays one line', () => {
    const t = terminal();
    t.program.write('stdout', 'hel');
    t.program.write('stdout', 'lo\nwor');
    t.program.write('stdout', 'ld\n');
    expect(t.out.join('')).toBe('       stdout │ hello\n       stdout │ world\n');
  });

  test('narration between the halves of a line ends it; the rest is marked as continuing', () => {
    const t = terminal();
    t.program.write('stdout', 'progress: ');
    t.say('    1.000 ms  g2 runs\n');
    t.program.write('stdout', 'done\n');
    expect(t.out.join('')).toBe(
      '       stdout │ progress: \n    1.000 ms  g2 runs\n       stdout ┆ done\n',
    );
    // A newline right after the break ends a line already ended: nothing more.
    t.program.write('stdout', 'tick');
    t.say('    2.000 ms  g2 sleeps\n');
    t.program.write('stdout', '\nnext\n');
    expect(t.out.slice(-3).join('')).toBe('\n    2.000 ms  g2 sleeps\n       stdout │ next\n');
  });

  test('the other stream ends an unfinished line too (both share a terminal)', () => {
    const t = terminal();
    t.program.write('stdout', 'half');
    t.program.write('stderr', 'err\n');
    t.program.write('stdout', ' more\n');
    expect(t.out.join('')).toBe('       stdout │ half\n       stdout ┆  more\n');
    expect(t.err.join('')).toBe('       stderr │ err\n');
  });

  test('breakLine ends an unfinished last line, once', () => {
    const t = terminal();
    t.program.write('stdout', 'no newline at the end');
    t.program.breakLine();
    t.program.breakLine();
    expect(t.out.join('')).toBe('       stdout │ no newline at the end\n');
  });
});
