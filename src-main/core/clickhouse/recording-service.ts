/**
 * The app's "also record to ClickHouse", per workspace: the settings (`recording.json` in the data
 * folder: URL, database, user, on/off), the password in the OS keychain (account `clickhouse:<workspace>`),
 * one WorkspaceRecorder per enabled workspace, and the view the window shows (phase, lag, last error
 * with what to do). Recording restarts with the app and resumes from each segment's saved offset.
 */
import path from 'node:path';
import { err, ok, type Result } from '../../shared/result.js';
import type { RecordingInput, RecordingView } from '../../shared/domain/recording.js';
import type { StreamMeta } from '../../shared/domain/stream.js';
import type { CatalogEntry } from '../capture/capture-index.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { readJson, writeJsonAtomic } from '../storage/json-file.js';
import { streamLabel, WorkspaceRecorder, type RecorderOptions } from './recorder.js';
import { parseClickHouseUrl, type ClickHouseTarget } from './target.js';

interface SavedRecording {
  url: string;
  database: string;
  username: string;
  hasPassword: boolean;
  enabled: boolean;
}

interface RecordingFile {
  version: 1;
  workspaces: Record<string, SavedRecording>;
}

export interface RecordingServiceOptions {
  dataDir: string;
  captureDir: string;
  secrets: SecretStore;
  catalog: () => Promise<CatalogEntry[]>;
  /** The server a stream's profile points at, for the `server` column. */
  serverOf: (profileId: string) => string;
  /** A view changed (pushed to the window, at most about once a second per workspace). */
  push: (view: RecordingView) => void;
  log?: (m: string) => void;
  /** Tests make the recorder quicker. */
  recorder?: Partial<Pick<RecorderOptions, 'pollMs' | 'sinkPollMs' | 'backoff'>>;
  now?: () => number;
}

export const secretAccount = (workspaceId: string) => `clickhouse:${workspaceId}`;

/** What the user can do about a failure, from its message (ClickHouse's codes and Node's errors). */
export function recordingHint(message: string): string {
  const m = message.toLowerCase();
  const keep = 'Events stay in the local capture and are sent once ClickHouse accepts them.';
  if (/econnrefused|enotfound|eai_again|ehostunreach|timeout|socket hang up|econnreset/.test(m))
    return `ClickHouse is not answering: start it, or check the URL and port (its HTTP port, 8123 by default). ${keep}`;
  if (/code: 516|code: 192|code: 193|password|authentication|unknown user/.test(m))
    return `ClickHouse refused the user or password: set them again under Record to ClickHouse. ${keep}`;
  if (/code: 497|not enough privileges|readonly/.test(m))
    return `This user may not create tables or insert into this database: ask your ClickHouse admin for INSERT and CREATE rights. ${keep}`;
  if (/retention removed/.test(m))
    return 'Recording fell further behind than the capture keeps: raise the retention, or check why ClickHouse is slow.';
  if (/keychain/.test(m)) return `The password could not be read from the OS keychain. ${keep}`;
  return keep;
}

export class RecordingService {
  #file: string;
  #saved: RecordingFile = { version: 1, workspaces: {} };
  #running = new Map<string, WorkspaceRecorder>();
  #keychainError = new Map<string, string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastPushed = new Map<string, string>();
  #soonTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(private readonly o: RecordingServiceOptions) {
    this.#file = path.join(o.dataDir, 'recording.json');
  }

  /** Load the settings and start recording the workspaces that had it on. */
  static async open(o: RecordingServiceOptions): Promise<RecordingService> {
    const s = new RecordingService(o);
    const read = await readJson(s.#file);
    if (read.kind === 'ok' && isRecordingFile(read.value)) s.#saved = read.value;
    else if (read.kind !== 'missing') o.log?.(`recording.json could not be read; recording starts off: ${read.kind}`);
    for (const [ws, r] of Object.entries(s.#saved.workspaces)) if (r.enabled) await s.#start(ws);
    // Lag moves without events of its own: the window is told once a second while anything records.
    s.#timer = setInterval(() => s.#pushChanged(), 1000);
    s.#timer.unref?.();
    return s;
  }

  view(workspaceId: string): RecordingView {
    const saved = this.#saved.workspaces[workspaceId];
    const rec = this.#running.get(workspaceId);
    const view: RecordingView = {
      workspaceId,
      enabled: !!saved?.enabled,
      phase: 'off',
      lag: { events: 0, seconds: 0 },
      sent: 0,
      lost: 0,
    };
    if (saved)
      view.target = {
        url: saved.url,
        database: saved.database,
        username: saved.username,
        hasPassword: saved.hasPassword,
      };
    if (rec) {
      const st = rec.status();
      view.phase = st.phase;
      view.lag = { events: st.lag.events, seconds: Math.round(st.lag.seconds) };
      view.sent = st.sent;
      view.lost = st.lost;
      if (st.lastError) view.lastError = { ...st.lastError, hint: recordingHint(st.lastError.message) };
    }
    const kc = this.#keychainError.get(workspaceId);
    if (kc && saved?.enabled) {
      view.phase = 'retrying';
      view.lastError = { message: kc, hint: recordingHint('keychain'), at: this.o.now?.() ?? Date.now() };
    }
    return view;
  }

  /** Save a workspace's settings (and password), then start, restart or stop its recording. */
  async set(workspaceId: string, input: RecordingInput): Promise<Result<RecordingView>> {
    let target: ClickHouseTarget;
    try {
      const url = input.url.trim();
      if (!url) return err('invalid-input', 'Enter the ClickHouse URL, e.g. http://clickhouse.example.com:8123.');
      target = parseClickHouseUrl(url);
      if (target.username !== undefined || target.password !== undefined)
        return err('invalid-input', 'Put the user and password in their own fields, not in the URL.');
      const db = input.database.trim();
      if (db) target = { ...target, database: parseClickHouseUrl(`${target.url}/${db}`).database };
    } catch (e) {
      return err('invalid-input', (e as Error).message);
    }
    const before = this.#saved.workspaces[workspaceId];
    let hasPassword = before?.hasPassword ?? false;
    if (input.password !== undefined) {
      const r = input.password
        ? await this.o.secrets.set(secretAccount(workspaceId), input.password)
        : await this.o.secrets.delete(secretAccount(workspaceId));
      if (!r.ok) return r;
      hasPassword = input.password !== '';
    }
    const next: SavedRecording = {
      url: target.url,
      database: target.database,
      username: input.username.trim(),
      hasPassword,
      enabled: input.enabled,
    };
    const saved: RecordingFile = { ...this.#saved, workspaces: { ...this.#saved.workspaces, [workspaceId]: next } };
    try {
      await writeJsonAtomic(this.#file, saved);
    } catch (e) {
      return err('io', `The recording settings could not be saved in ${this.o.dataDir}: ${(e as Error).message}`);
    }
    this.#saved = saved;
    await this.#stop(workspaceId);
    if (next.enabled) await this.#start(workspaceId);
    const view = this.view(workspaceId);
    this.#push(view);
    return ok(view);
  }

  /**
   * Where a workspace's recording goes, with its password from the keychain: what a window of that
   * recording reads (window-service.ts). Refused with what to do when the workspace has no settings.
   */
  async targetOf(workspaceId: string): Promise<Result<ClickHouseTarget>> {
    const saved = this.#saved.workspaces[workspaceId];
    if (!saved) return err('invalid-input', 'Set up Record to ClickHouse for this workspace first (URL, user).');
    let password: string | undefined;
    if (saved.hasPassword) {
      const r = await this.o.secrets.get(secretAccount(workspaceId));
      if (!r.ok) return r;
      password = r.value;
    }
    return ok({
      url: saved.url,
      database: saved.database,
      ...(saved.username ? { username: saved.username } : {}),
      ...(password !== undefined ? { password } : {}),
    });
  }

  /** Wait until a workspace's recording has everything its capture holds (tests, and quitting). */
  async drain(workspaceId: string, timeoutMs: number): Promise<boolean> {
    return (await this.#running.get(workspaceId)?.drain(timeoutMs)) ?? false;
  }

  async dispose(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#soonTimer) clearTimeout(this.#soonTimer);
    await Promise.all([...this.#running.keys()].map((ws) => this.#stop(ws)));
  }

  async #start(workspaceId: string): Promise<void> {
    const saved = this.#saved.workspaces[workspaceId];
    if (!saved) return;
    this.#keychainError.delete(workspaceId);
    let password: string | undefined;
    if (saved.hasPassword) {
      const r = await this.o.secrets.get(secretAccount(workspaceId));
      if (!r.ok) {
        this.#keychainError.set(workspaceId, r.error.message);
        this.o.log?.(`recording ${workspaceId}: ${r.error.message}`);
        return;
      }
      password = r.value;
    }
    const target: ClickHouseTarget = {
      url: saved.url,
      database: saved.database,
      ...(saved.username ? { username: saved.username } : {}),
      ...(password !== undefined ? { password } : {}),
    };
    const rec = new WorkspaceRecorder({
      workspaceId,
      target,
      captureDir: this.o.captureDir,
      catalog: this.o.catalog,
      // A deleted profile's streams keep its server in their catalog meta: their rows still say where they came from.
      originOf: (meta: StreamMeta) => ({
        server: this.o.serverOf(meta?.profileId ?? '') || meta?.profile?.baseUrl || '',
        stream: streamLabel(meta),
      }),
      onChange: () => this.#soon(),
      ...(this.o.now ? { now: this.o.now } : {}),
      ...this.o.recorder,
    });
    this.#running.set(workspaceId, rec.start());
  }

  async #stop(workspaceId: string): Promise<void> {
    const rec = this.#running.get(workspaceId);
    this.#running.delete(workspaceId);
    this.#keychainError.delete(workspaceId);
    await rec?.close();
  }

  #push(view: RecordingView): void {
    const { lastError, ...rest } = view;
    this.#lastPushed.set(view.workspaceId, JSON.stringify({ ...rest, error: lastError?.message }));
    this.o.push(view);
  }

  /** A phase or error changed: tell the window shortly, once for a burst of changes. */
  #soon(): void {
    if (this.#soonTimer) return;
    this.#soonTimer = setTimeout(() => {
      this.#soonTimer = undefined;
      this.#pushChanged();
    }, 200);
  }

  #pushChanged(): void {
    for (const ws of this.#running.keys()) {
      const v = this.view(ws);
      const { lastError, ...rest } = v;
      if (this.#lastPushed.get(ws) !== JSON.stringify({ ...rest, error: lastError?.message })) this.#push(v);
    }
  }
}

function isRecordingFile(v: unknown): v is RecordingFile {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  if (f.version !== 1 || typeof f.workspaces !== 'object' || f.workspaces === null) return false;
  return Object.values(f.workspaces).every((r) => {
    const x = r as Record<string, unknown>;
    return (
      typeof x === 'object' &&
      x !== null &&
      typeof x.url === 'string' &&
      typeof x.database === 'string' &&
      typeof x.username === 'string' &&
      typeof x.hasPassword === 'boolean' &&
      typeof x.enabled === 'boolean'
    );
  });
}
