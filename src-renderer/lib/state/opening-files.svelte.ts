/**
 * Files being opened, each into a workspace that is not a tab until the file was read (its batches land there
 * meanwhile), and why the last one could not be opened, shown on the tab it was opened from: one at a time, and
 * the next file the user opens replaces it, whatever comes of that one (a banner that stayed on every tab through
 * later successful imports told the user nothing).
 */
import type { Workspace } from './workspace.svelte';

export class OpeningFiles {
  failure = $state<{ workspaceId: string | undefined; text: string } | undefined>(undefined);
  /** Each pending workspace, with the tab that was active when its file started opening. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping no view renders
  readonly #pending = new Map<string, { w: Workspace; from: string | undefined }>();

  /** A file starts opening into `w`, from tab `activeId`. */
  opening(w: Workspace, activeId: string | undefined): void {
    this.#pending.set(w.id, { w, from: activeId });
    this.failure = undefined;
  }

  pending(workspaceId: string): Workspace | undefined {
    return this.#pending.get(workspaceId)?.w;
  }

  /** The file of pending workspace `id` could not be opened: say why on the tab it was opened from. */
  failed(id: string, text: string): void {
    this.failure = { workspaceId: this.#pending.get(id)?.from, text };
  }

  /** The pending workspace became a tab, or was dropped; false if it was not pending. */
  settled(id: string): boolean {
    return this.#pending.delete(id);
  }

  /** The failure tab `activeId` shows: one opened from it, or from no tab (before the app had loaded its tabs). */
  shownOn(activeId: string | undefined): string | undefined {
    const f = this.failure;
    return f && (f.workspaceId === undefined || f.workspaceId === activeId) ? f.text : undefined;
  }

  dismiss(): void {
    this.failure = undefined;
  }
}
