/**
 * The filter bar's server picker writes one `profile:` term into the workspace's filter (and replaces it),
 * so the list, paging and export all honour it and the user sees exactly what filters the view.
 */

/** A `profile:` term, quoted or not, at the start of the filter or after a space (a negated `-profile:` is the user's own). */
const PROFILE_TERMS = /(^|\s)profile:("[^"]*"|\S+)/gi;

const quote = (name: string): string => (/[\s()"]/.test(name) ? `"${name.replace(/"/g, '')}"` : name);

/** The filter without its `profile:` terms. */
export function withoutProfile(filter: string): string {
  return filter.replace(PROFILE_TERMS, '$1').replace(/\s+/g, ' ').trim();
}

/** The filter limited to one profile's streams (replacing any earlier one); `undefined` = every server. */
export function withProfile(filter: string, profile: string | undefined): string {
  const rest = withoutProfile(filter);
  if (profile === undefined) return rest;
  const term = `profile:${quote(profile)}`;
  if (!rest) return term;
  return `${/\bOR\b/i.test(rest) && !/^\(.*\)$/s.test(rest) ? `(${rest})` : rest} ${term}`;
}

/** The profile the filter names in a single `profile:` term without wildcards, if any. */
export function profileInFilter(filter: string): string | undefined {
  const terms = [...filter.matchAll(PROFILE_TERMS)];
  if (terms.length !== 1) return undefined;
  const value = terms[0]![2]!.replace(/^"|"$/g, '');
  return value.includes('*') ? undefined : value;
}
