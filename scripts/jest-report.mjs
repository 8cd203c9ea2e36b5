// make test's view of the jest runs: each workspace's jest wrote its results as JSON into DIR
// (SLOWMO_JEST_JSON). Prints every failed test with the first lines of its reason (a CI log
// that keeps only its tail still says what failed and why), then, as the last line, the counts
// "passed failed skipped" for scripts/test.sh to add up.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
// Jest colours its reasons; a log file wants none of it.
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  const run = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  passed += run.numPassedTests;
  failed += run.numFailedTests + run.numRuntimeErrorTestSuites;
  skipped += run.numPendingTests + run.numTodoTests;
  for (const file of run.testResults) {
    const where = path.relative(process.cwd(), file.name);
    const failures = file.assertionResults.filter((a) => a.status === 'failed');
    for (const a of failures) {
      console.log(`    FAILED ${where}: ${a.fullName}`);
      const why = String(a.failureMessages[0] ?? '')
        .replace(ANSI_COLOUR, '')
        .split('\n')
        .filter((l) => l.trim());
      for (const l of why.slice(0, 6)) console.log(`        ${l.trim().slice(0, 160)}`);
    }
    // A suite that failed with no failed test did not run (a syntax error, a throw at load).
    if (failures.length === 0 && file.status === 'failed')
      console.log(
        `    FAILED ${where}: ${String(file.message)
          .split('\n')
          .find((l) => l.trim())}`,
      );
  }
}
console.log(passed, failed, skipped);
