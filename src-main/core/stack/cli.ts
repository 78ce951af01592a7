/**
 * `npm run stack -- [--port 1885] [--rate 20|max] [--store] [faults…] [--json]`: the built-in stack
 * standalone, so anyone can \`curl\` it (switches in command.ts, also \`event-desk stack\`).
 */
import { runStackCommand } from './command.js';

await runStackCommand(process.argv.slice(2));
process.exit(0);
