import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { LatheError } from '@lathe/contract';

/** One AES-256 key and the id stored beside every value it encrypted. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Sealed {
  ciphertext: string;
  iv: string;
  tag: string;
  keyId: string;
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** Accepts 32 bytes as base64 (44 chars) or hex (64 chars). */
export function parseKey(text: string, where: string): MasterKey {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new LatheError('INVALID_ARGUMENT', `${where} must be 32 bytes, base64 or hex (make one with: openssl rand -base64 32)`);
  return { id: keyId(key), key };
}

interface KeyFile {
  active: string;
  keys: Record<string, string>;
}

/**
 * The master keys: the active one encrypts, older ones only decrypt (until rotation has
 * re-encrypted everything). They come from LATHE_MASTER_KEY (+ LATHE_MASTER_KEY_PREVIOUS)
 * or from a key file in the data dir, mode 0600, made on first start. Never in the database.
 */
export class Keyring {
  private constructor(
    private active: MasterKey,
    private readonly older: Map<string, MasterKey>,
    /** Null when the keys come from the environment (rotation is then done by the operator). */
    private readonly file: string | null,
  ) {}

  static fromEnvironment(current: string, previous: string | undefined): Keyring {
    const active = parseKey(current, 'LATHE_MASTER_KEY');
    const older = new Map<string, MasterKey>();
    for (const p of (previous ?? '').split(',').filter((x) => x.trim())) {
      const k = parseKey(p, 'LATHE_MASTER_KEY_PREVIOUS');
      older.set(k.id, k);
    }
    return new Keyring(active, older, null);
  }

  /** Read the key file, or make one (0600) when there is none. Refuses a file others can read. */
  static async fromFile(file: string): Promise<Keyring> {
    const info = await stat(file).catch(() => undefined);
    if (!info) {
      const k = randomBytes(32);
      const ring = new Keyring({ id: keyId(k), key: k }, new Map(), file);
      await ring.save();
      return ring;
    }
    if ((info.mode & 0o077) !== 0) {
      throw new LatheError('FAILED_PRECONDITION', `the master key file ${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
    }
    const parsed = JSON.parse(await readFile(file, 'utf8')) as KeyFile;
    const all = Object.values(parsed.keys).map((v) => parseKey(v, `a key in ${file}`));
    const active = all.find((k) => k.id === parsed.active);
    if (!active) throw new LatheError('FAILED_PRECONDITION', `the master key file ${file} names an active key it does not hold`);
    return new Keyring(active, new Map(all.filter((k) => k.id !== active.id).map((k) => [k.id, k])), file);
  }

  get activeId(): string {
    return this.active.id;
  }

  get rotatable(): boolean {
    return this.file !== null;
  }

  private async save(): Promise<void> {
    if (!this.file) return;
    const body: KeyFile = { active: this.active.id, keys: Object.fromEntries([this.active, ...this.older.values()].map((k) => [k.id, k.key.toString('base64')])) };
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(body), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.file);
  }

  /** A new active key; the old one stays for decryption until `forgetOlder`. */
  async rotate(): Promise<void> {
    const k = randomBytes(32);
    this.older.set(this.active.id, this.active);
    this.active = { id: keyId(k), key: k };
    await this.save();
  }

  async forgetOlder(): Promise<void> {
    this.older.clear();
    await this.save();
  }

  seal(plain: string, aad: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { ciphertext: ct.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), keyId: this.active.id };
  }

  /**
   * `seal` as one string (`keyId.iv.tag.ciphertext`: hex and base64 hold no dots), for a
   * table that keeps a sealed value in a single column.
   */
  sealText(plain: string, aad: string): string {
    const s = this.seal(plain, aad);
    return [s.keyId, s.iv, s.tag, s.ciphertext].join('.');
  }

  /** Opens what `sealText` made. */
  openText(text: string, aad: string, what: string): string {
    const [keyId, iv, tag, ciphertext, ...rest] = text.split('.');
    if (keyId === undefined || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
      throw new LatheError('INTERNAL', `${what} is not a sealed value: the stored text is malformed`);
    }
    return this.open({ keyId, iv, tag, ciphertext }, aad, what);
  }

  open(s: Sealed, aad: string, what: string): string {
    const k = s.keyId === this.active.id ? this.active : this.older.get(s.keyId);
    if (!k) throw new LatheError('FAILED_PRECONDITION', `${what} is encrypted with master key ${s.keyId}, which this server does not have (set it in LATHE_MASTER_KEY_PREVIOUS)`);
    try {
      const d = createDecipheriv('aes-256-gcm', k.key, Buffer.from(s.iv, 'base64'));
      d.setAAD(Buffer.from(aad));
      d.setAuthTag(Buffer.from(s.tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(s.ciphertext, 'base64')), d.final()]).toString('utf8');
    } catch {
      throw new LatheError('INTERNAL', `${what} could not be decrypted: it was altered, or the master key is wrong`);
    }
  }
}
