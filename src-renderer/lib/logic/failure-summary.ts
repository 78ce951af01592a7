/**
 * One alert for many failures, short enough to read (#13, failure 10: 5,000 failing streams made one
 * 464,543-character alert). Identical reasons are grouped, a few names are shown per reason, and the
 * whole text is capped.
 */

export interface Failure {
  /** What failed, e.g. the workspace or stream name. */
  who: string;
  /** Why, in the words of the error. */
  why: string;
}

export interface SummaryLimits {
  /** Distinct reasons spelled out. */
  reasons?: number;
  /** Names listed per reason. */
  names?: number;
  /** Characters in the whole text. */
  maxLength?: number;
}

const count = (n: number) => n.toLocaleString('en');
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** `what` names one and many of what failed (`['saved stream', 'saved streams']`); `intro` says what went wrong. */
export function summarizeFailures(
  what: readonly [one: string, many: string],
  intro: string,
  failures: readonly Failure[],
  limits: SummaryLimits = {},
): string {
  const { reasons = 3, names = 3, maxLength = 600 } = limits;
  if (failures.length === 0) return '';
  const byWhy = new Map<string, string[]>();
  for (const f of failures) {
    const list = byWhy.get(f.why);
    if (list) list.push(f.who);
    else byWhy.set(f.why, [f.who]);
  }
  const groups = [...byWhy].sort((a, b) => b[1].length - a[1].length);
  const parts = groups.slice(0, reasons).map(([why, who]) => {
    const shown = who
      .slice(0, names)
      .map((w) => clip(w, 40))
      .join(', ');
    const more = who.length > names ? ` and ${count(who.length - names)} more` : '';
    return `${clip(why, 200)} (${shown}${more})`;
  });
  const otherReasons = groups.length - parts.length;
  const others = otherReasons > 0 ? `; and ${count(otherReasons)} other reason${otherReasons === 1 ? '' : 's'}` : '';
  const text = `${count(failures.length)} ${failures.length === 1 ? what[0] : what[1]} ${intro}: ${parts.join('; ')}${others}.`;
  return clip(text, maxLength);
}
