/** Prints the README's environment variable table: `node dist/src/config/print-env-table.js`. */
import { envTableMarkdown } from './index.js';

process.stdout.write(`${envTableMarkdown()}\n`);
