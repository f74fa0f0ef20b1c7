#!/usr/bin/env node
// @ts-check
import { main } from '../src/cli.js';

main(process.argv.slice(2), process.env).catch((err) => {
  process.stderr.write(`finops-mcp-bridge: fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
