// A Dockerfile's instructions, as the container lint reads them:
// continuation lines joined, comments dropped, each with the line it starts on.

/** [{ op: 'RUN', args: '...', line: 12 }, ...]; a line that is no instruction has op '?'. */
export function dockerfileInstructions(text) {
  const out = [];
  let cur = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    // A comment inside a continued instruction is dropped too, as Docker does.
    if (line.startsWith('#') || (!cur && line === '')) return;
    if (!cur) start = i + 1;
    if (line.endsWith('\\')) {
      cur += line.slice(0, -1) + ' ';
      return;
    }
    cur += line;
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(cur);
    out.push({ op: m ? m[1].toUpperCase() : '?', args: m ? m[2].trim() : cur, line: start });
    cur = '';
  });
  return out;
}
