#!/usr/bin/env node
// The `disco` command: runs the compiled CLI (build it first with `npm run build`).
import('../dist/cli/main.js').then(
  (cli) => cli.main(process.argv),
  (err) => {
    process.stderr.write(`disco: cannot load dist/cli/main.js (run \`npm run build\` first): ${err.message}\n`);
    process.exit(70);
  },
);
