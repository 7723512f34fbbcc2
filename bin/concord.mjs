#!/usr/bin/env node
// The `concord` command (built into dist/ by `npm install`).
const { runCli } = await import("../dist/cli/main.js");
process.exitCode = await runCli(process.argv.slice(2));
