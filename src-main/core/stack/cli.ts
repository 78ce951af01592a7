/**
 * `npm run stack -- [--port 1885] [--rate 20] [--devices 5] [--gateways 3] [--applications 1] [--seed 1] [--store]`
 *
 * Runs the built-in stack standalone and prints its URL and a demo API key, so anyone can `curl` it.
 */
import { parseArgs } from 'node:util';
import { startStack } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '1885' },
    host: { type: 'string', default: '127.0.0.1' },
    rate: { type: 'string', default: '20' },
    devices: { type: 'string', default: '5' },
    gateways: { type: 'string', default: '3' },
    applications: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    store: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log('Usage: npm run stack -- [--port 1885] [--rate 20] [--devices 5] [--gateways 3] [--applications 1] [--seed 1] [--store]');
  process.exit(0);
}

const num = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a non-negative number, got "${v}"`);
    process.exit(2);
  }
  return n;
};

const stack = await startStack({
  port: num('port', values.port),
  host: values.host,
  rate: num('rate', values.rate),
  seed: num('seed', values.seed),
  store: { enabled: values.store ?? false },
  scenario: { devices: num('devices', values.devices), gateways: num('gateways', values.gateways), applications: num('applications', values.applications) },
}).catch((e: NodeJS.ErrnoException) => {
  console.error(e.code === 'EADDRINUSE' ? `Port ${values.port} is in use: pick another with --port.` : `The stack could not start: ${e.message}`);
  process.exit(1);
});

console.log(`Event Desk built-in stack listening on ${stack.url}`);
console.log(`API key (all rights): ${stack.demoKey}`);
console.log(`Applications: ${stack.scenario.applications.join(', ')}; gateways: ${stack.scenario.gateways.map((g) => g.gatewayId).join(', ')}`);
console.log('Try:');
console.log(`  curl -N ${stack.url}/api/v3/events -X POST -H "Authorization: Bearer ${stack.demoKey}" -H "Accept: text/event-stream" \\`);
console.log(`    --data '{"identifiers":[{"application_ids":{"application_id":"demo-app"}}]}'`);

const stop = () => {
  void stack.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
