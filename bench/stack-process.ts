/**
 * The built-in stack in its own process (`npm run stack -- --json`), so it has a core of its own and
 * the process under measurement is only the client.
 */
import { spawn } from 'node:child_process';

export interface StackProcess {
  url: string;
  key: string;
  close(): Promise<void>;
}

export function startStackProcess(args: string[]): Promise<StackProcess> {
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=8192', '--import', 'tsx', 'src-main/core/stack/cli.ts', '--port', '0', '--json', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      const { url, key } = JSON.parse(out.split('\n')[0]!) as { url: string; key: string };
      resolve({
        url,
        key,
        close: () =>
          new Promise<void>((r) => {
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`the stack process exited with ${code}`)));
  });
}
