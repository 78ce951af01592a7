/**
 * File dialogs, owned by main: the renderer asks for an export or import, main asks the user where.
 * The renderer never passes a path (a compromised renderer must not choose what main writes).
 */
export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface Dialogs {
  /** The chosen path, or undefined when the user cancelled. */
  save(options: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | undefined>;
  open(options: { title: string; filters: FileFilter[] }): Promise<string | undefined>;
}

/** Answers queued in advance: the harness and tests stand in for the user at the dialog. */
export class ScriptedDialogs implements Dialogs {
  readonly saves: (string | undefined)[] = [];
  readonly opens: (string | undefined)[] = [];
  readonly asked: { kind: 'save' | 'open'; title: string }[] = [];

  async save(options: { title: string }): Promise<string | undefined> {
    this.asked.push({ kind: 'save', title: options.title });
    return this.saves.shift();
  }

  async open(options: { title: string }): Promise<string | undefined> {
    this.asked.push({ kind: 'open', title: options.title });
    return this.opens.shift();
  }
}
