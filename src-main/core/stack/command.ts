/**
 * The built-in stack's command line, shared by `npm run stack` (cli.ts) and `event-desk stack`:
 * `… [--port 1885] [--rate 20|max] [--devices 5] [--gateways 3] [--applications 1] [--seed 1] [--store]`
 *   faults for every stream: [--close-after N] [--close-probability P] [--stall-after N --stall-ms T]
 *   [--chunk-bytes B [--drip-ms T]] [--malformed-after N] [--error-after N] [--http-error 429|500|503
 *   --http-error-count N [--retry-after S]] [--slow-consumer-buffer N]   [--json] prints {url, key}
 *
 * Runs the built-in stack standalone and prints its URL and a demo API key, so anyone can `curl` it.
 */
import { parseArgs } from 'node:util';
import { startStack, type Faults } from './server.js';

/**
 * Parse `args`, start the stack and print how to reach it; resolves once SIGINT/SIGTERM has closed it.
 * Bad switches exit the process with code 2 (this is a process's main, not a library call).
 */
export async function runStackCommand(args: string[], usage = 'npm run stack --'): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '1885' },
      host: { type: 'string', default: '127.0.0.1' },
      rate: { type: 'string', default: '20' },
      devices: { type: 'string', default: '5' },
      gateways: { type: 'string', default: '3' },
      applications: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      store: { type: 'boolean', default: false },
      legacy: { type: 'boolean', default: false },
      release: { type: 'string' },
      'packet-broker': { type: 'string' },
      'close-after': { type: 'string' },
      'close-probability': { type: 'string' },
      'stall-after': { type: 'string' },
      'stall-ms': { type: 'string' },
      'chunk-bytes': { type: 'string' },
      'drip-ms': { type: 'string' },
      'malformed-after': { type: 'string' },
      'error-after': { type: 'string' },
      'http-error': { type: 'string' },
      'http-error-count': { type: 'string' },
      'retry-after': { type: 'string' },
      'slow-consumer-buffer': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });

  if (values.help) {
    console.log(`Usage: ${usage} [--port 1885] [--rate 20] [--devices 5] [--gateways 3] [--applications 1] [--seed 1] [--store]
  Faults (every stream): --close-after N  --close-probability P  --stall-after N --stall-ms T  --chunk-bytes B [--drip-ms T]
    --malformed-after N  --error-after N  --http-error 429|500|503 --http-error-count N [--retry-after S]  --slow-consumer-buffer N
  --legacy writes correlation IDs the pre-3.28 way (with the long-lived gateway, AS–NS and Packet Broker link IDs on
    every event they touch); --release 3.5 names events as that release did (ns.up.receive, ns.up.merge_metadata, …).
  --packet-broker 0.1 is the share of uplinks relayed by Packet Broker. --json prints {"url","key"} on one line (for scripts).`);
    process.exit(0);
  }

  const release = (v: string): string => {
    if (!/^3\.\d+$/.test(v)) {
      console.error(`--release takes a minor release like 3.5 or 3.27, got "${v}"`);
      process.exit(2);
    }
    return v;
  };
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      console.error(`--${name} must be a non-negative number, got "${v}"`);
      process.exit(2);
    }
    return n;
  };

  const opt = (name: keyof typeof values): number | undefined =>
    values[name] === undefined ? undefined : num(name, values[name] as string);
  const httpError = opt('http-error');
  if (httpError !== undefined && ![429, 500, 503].includes(httpError)) {
    console.error('--http-error must be 429, 500 or 503');
    process.exit(2);
  }
  const faults: Faults = {};
  const set = <K extends keyof Faults>(k: K, v: Faults[K] | undefined) => {
    if (v !== undefined) faults[k] = v;
  };
  set('closeAfterEvents', opt('close-after'));
  set('closeProbability', opt('close-probability'));
  set('stallAfterEvents', opt('stall-after'));
  set('stallMs', opt('stall-ms'));
  set('chunkBytes', opt('chunk-bytes'));
  set('dripDelayMs', opt('drip-ms'));
  set('malformedAfterEvents', opt('malformed-after'));
  set('errorAfterEvents', opt('error-after'));
  set('httpError', httpError as Faults['httpError']);
  set('httpErrorCount', opt('http-error-count'));
  set('retryAfterSec', opt('retry-after'));
  set('slowConsumerBuffer', opt('slow-consumer-buffer'));

  const stack = await startStack({
    faults,
    port: num('port', values.port),
    host: values.host,
    rate: values.rate === 'max' ? Infinity : num('rate', values.rate),
    seed: num('seed', values.seed),
    store: { enabled: values.store ?? false },
    scenario: {
      devices: num('devices', values.devices),
      gateways: num('gateways', values.gateways),
      applications: num('applications', values.applications),
      correlation: values.legacy ? 'legacy' : 'current',
      ...(values.release ? { release: release(values.release) } : {}),
      ...(values['packet-broker'] !== undefined
        ? { packetBrokerShare: Math.min(1, num('packet-broker', values['packet-broker'])) }
        : {}),
    },
  }).catch((e: NodeJS.ErrnoException) => {
    console.error(
      e.code === 'EADDRINUSE'
        ? `Port ${values.port} is in use: pick another with --port.`
        : `The stack could not start: ${e.message}`,
    );
    process.exit(1);
  });

  if (values.json) console.log(JSON.stringify({ url: stack.url, key: stack.demoKey }));
  else {
    console.log(`Event Desk built-in stack listening on ${stack.url}`);
    console.log(`API key (all rights): ${stack.demoKey}`);
    if (Object.keys(faults).length) console.log(`Faults on every stream: ${JSON.stringify(faults)}`);
    console.log(
      `Applications: ${stack.scenario.applications.join(', ')}; gateways: ${stack.scenario.gateways.map((g) => g.gatewayId).join(', ')}`,
    );
    // A device stream needs its application and device ID: print them, so nobody has to guess (#16, finding 11).
    const devices = stack.scenario.devices;
    console.log(
      `Devices (application/device): ${devices
        .slice(0, 8)
        .map((d) => `${d.appId}/${d.deviceId}`)
        .join(', ')}${devices.length > 8 ? `, … (${devices.length} in all)` : ''}`,
    );
    console.log('Try:');
    console.log(
      `  curl -N ${stack.url}/api/v3/events -X POST -H "Authorization: Bearer ${stack.demoKey}" -H "Accept: text/event-stream" \\`,
    );
    console.log(`    --data '{"identifiers":[{"application_ids":{"application_id":"demo-app"}}]}'`);
  }

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void stack.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
