import { readFile, stat } from 'node:fs/promises';
import { LatheError, type EnvironmentAlias } from '@lathe/contract';

/**
 * The alias map: shipped entries, overridden and extended by a user file of
 * `{ "AzureML-name": "lathe-reference" }` (JSON). The file is read again when it
 * changes, so an edit needs no restart. Names match case-insensitively, as Azure ML's do.
 */
export class AliasMap {
  private cached: { mtimeMs: number; entries: Record<string, string> } | undefined;

  constructor(
    /** The user's alias file; null for none. */
    readonly file: string | null,
    private readonly shipped: Readonly<Record<string, string>>,
  ) {}

  async entries(): Promise<EnvironmentAlias[]> {
    const user = await this.userEntries();
    const out = new Map<string, EnvironmentAlias>();
    for (const [alias, target] of Object.entries(this.shipped)) out.set(alias.toLowerCase(), { alias, target, source: 'shipped' });
    for (const [alias, target] of Object.entries(user)) out.set(alias.toLowerCase(), { alias, target, source: 'user' });
    return [...out.values()].sort((a, b) => a.alias.localeCompare(b.alias));
  }

  async lookup(name: string): Promise<EnvironmentAlias | undefined> {
    const key = name.toLowerCase();
    return (await this.entries()).find((e) => e.alias.toLowerCase() === key);
  }

  private async userEntries(): Promise<Record<string, string>> {
    if (this.file === null) return {};
    const st = await stat(this.file).catch(() => undefined);
    if (!st) return {};
    if (this.cached?.mtimeMs === st.mtimeMs) return this.cached.entries;
    const text = await readFile(this.file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new LatheError('FAILED_PRECONDITION', `the environment alias file ${this.file} is not valid JSON: ${(err as Error).message}`);
    }
    const valid = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string');
    if (!valid) {
      throw new LatheError('FAILED_PRECONDITION', `the environment alias file ${this.file} must be a JSON object of "Azure ML name": "Lathe reference" strings`);
    }
    this.cached = { mtimeMs: st.mtimeMs, entries: parsed as Record<string, string> };
    return this.cached.entries;
  }
}
