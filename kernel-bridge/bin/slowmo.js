#!/usr/bin/env node
// The `slowmo` command. A committed shim, so that npm links it on a fresh
// install, before the TypeScript is built (dist/ does not exist yet then).
require('../dist/src/cli.js');
