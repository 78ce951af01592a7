/**
 * Integration failures (`as.webhook.fail`, `as.pubsub.fail`, `as.mqtt.connect.fail`, package failures):
 * grouped by target and status, with the response body the event carries. The events are
 * `ErrorDetails`. For a webhook (lorawan-stack v3.32.1, pkg/applicationserver/io/web/sink: http.go
 * `errRequest`, observability.go `evtWebhookFail`) that is the `request` error of namespace
 * `pkg/applicationserver/io/web/sink`, code 14, its public attributes `webhook_id`, `url` and (when
 * the server answered) `status_code`, and the first KiB of the response body in a detail
 * `{"@type": "type.googleapis.com/google.protobuf.Struct", "value": {"body": …}}`; a connection that
 * failed has neither status nor body. Other integrations and releases put their facts elsewhere
 * (attributes, the cause, details), so each is looked for in those places, a few levels deep at most.
 */
import type { TtsEvent } from '../tts/types.js';
import { detailsText } from '../domain/event-errors.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** Event names that report an integration failing. */
export function isIntegrationFailure(name: string): boolean {
  return /^as\.(webhook|pubsub|mqtt|packages)\..*fail$|^as\.(webhook|pubsub)\.fail$/.test(name);
}

export interface IntegrationFailureGroup {
  /** `webhook`, `pubsub`, `mqtt` or the package's name. */
  integration: string;
  /** The webhook or pub/sub ID, or its URL; `?` when the event does not say. */
  target: string;
  /** HTTP status (or error name) the failure reported. */
  status: string;
  count: number;
  firstTime: string;
  lastTime: string;
  /** The newest response body the events carry (cut to 2000 characters). */
  body?: string;
  /** The newest error message, with its attributes filled in. */
  message: string;
  applications: string[];
}

/** Look for the first of `keys` in `at`, its attributes, its cause and details, a few levels down. */
function find(at: unknown, keys: readonly string[], depth = 0): unknown {
  const o = obj(at);
  if (!o || depth > 4) return undefined;
  for (const k of keys) if (o[k] !== undefined && o[k] !== null && o[k] !== '') return o[k];
  // `value`: a detail packed in an Any of a well-known type (a Struct) keeps its fields there.
  for (const next of [o.attributes, o.cause, o.value, ...(Array.isArray(o.details) ? o.details.slice(0, 4) : [])]) {
    const hit = find(next, keys, depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

const text = (v: unknown, max: number): string | undefined =>
  v === undefined ? undefined : (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')).slice(0, max);

/** Group failure events by integration, target and status (newest information kept per group). */
export function groupIntegrationFailures(events: Iterable<TtsEvent>): IntegrationFailureGroup[] {
  const groups = new Map<string, IntegrationFailureGroup>();
  for (const e of events) {
    if (!isIntegrationFailure(e.name)) continue;
    const data = obj(e.data);
    const integration =
      e.name.split('.')[1] === 'packages' ? (e.name.split('.')[2] ?? 'packages') : e.name.split('.')[1]!;
    const target = text(find(data, ['webhook_id', 'pubsub_id', 'target', 'url', 'host', 'address']), 300) ?? '?';
    const status =
      text(find(data, ['status_code', 'http_status', 'status']), 50) ??
      (typeof data?.name === 'string' ? data.name : '?');
    const body = text(find(data, ['body', 'response_body', 'response']), 2000);
    const message = data && (data.message_format ?? data.name) !== undefined ? detailsText(data) : e.name;
    const app =
      e.identifiers?.[0]?.device_ids?.application_ids?.application_id ??
      e.identifiers?.[0]?.application_ids?.application_id;
    const key = `${integration}\u0000${target}\u0000${status}`;
    const g = groups.get(key);
    if (!g) {
      const created: IntegrationFailureGroup = {
        integration,
        target,
        status,
        count: 1,
        firstTime: e.time,
        lastTime: e.time,
        message,
        applications: app ? [app] : [],
      };
      if (body !== undefined) created.body = body;
      groups.set(key, created);
      continue;
    }
    g.count++;
    if (e.time < g.firstTime) g.firstTime = e.time;
    if (e.time >= g.lastTime) {
      g.lastTime = e.time;
      g.message = message;
      if (body !== undefined) g.body = body;
    }
    if (app && !g.applications.includes(app)) g.applications.push(app);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.target.localeCompare(b.target));
}
