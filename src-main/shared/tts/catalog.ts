import { EVENT_CATALOG } from './event-catalog.js';

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
