import { EVENT_CATALOG } from './event-catalog.js';
import { EVENT_HISTORY } from './event-history.js';

/** One event definition, looked up by name. */
export interface EventDefinition {
  name: string;
  description: string;
  rights: readonly string[];
  propagatesToApplication: boolean;
}

const byName = new Map<string, EventDefinition>(
  EVENT_CATALOG.map(([name, description, rights, p]) => [
    name,
    { name, description, rights, propagatesToApplication: p === 1 },
  ]),
);

/** The definition of a name, or undefined for names this catalogue does not know. */
export function eventDefinition(name: string): EventDefinition | undefined {
  return byName.get(name);
}

/** All names a `names` filter may contain (the synthetic stream start is not one of them). */
export const FILTERABLE_NAMES: readonly string[] = EVENT_CATALOG.map((r) => r[0]).filter(
  (n) => n !== 'events.stream.start',
);

let firstReleases: Map<string, string> | undefined;

/** The first minor release of The Things Stack that defines `name` (e.g. '3.32'), if it is a known name. */
export function firstRelease(name: string): string | undefined {
  firstReleases ??= new Map(EVENT_HISTORY.map(([n, first]) => [n, first]));
  return firstReleases.get(name);
}
