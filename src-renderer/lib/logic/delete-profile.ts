/**
 * The question Delete asks about a profile: deleting it stops every stream that uses it, so the user is told
 * how many and where before saying yes (a stream in a tab in the background is easy to forget).
 */
import type { StreamInfo } from '../../../src-main/shared/domain/stream';

export function deleteProfileQuestion(
  profile: { id: string; name: string },
  streams: readonly StreamInfo[],
  workspaceName: (id: string) => string | undefined,
): string {
  const question = `Delete "${profile.name}" and its key?`;
  // A stopped stream loses nothing more; files and recording windows have no profile.
  const using = streams.filter((s) => s.spec.profileId === profile.id && !s.source && s.state.kind !== 'stopped');
  if (using.length === 0) return question;
  const perWorkspace = new Map<string, number>();
  for (const s of using) {
    const name = workspaceName(s.spec.workspaceId) ?? 'a closed workspace';
    perWorkspace.set(name, (perWorkspace.get(name) ?? 0) + 1);
  }
  const where = [...perWorkspace].map(([name, n]) => (perWorkspace.size > 1 ? `${n} in "${name}"` : `"${name}"`));
  const one = using.length === 1;
  return (
    `${question}\n\n${using.length} ${one ? 'stream uses' : 'streams use'} it (in ${where.join(', ')}): ` +
    `${one ? 'it' : 'they'} will be stopped. ${one ? 'Its' : 'Their'} captured events stay.`
  );
}
