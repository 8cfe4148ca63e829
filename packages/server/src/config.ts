import type { ResolvedEnvironment } from '@lathe/contract';

/** An environment made ready on this host for a scoring worker. */
export interface HostEnvironment {
  /** Put the environment into a worker's process environment (PATH, VIRTUAL_ENV, its variables). */
  apply(env: Record<string, string>): void;
  /** The environment's own Python, when it has one. */
  python: string | null;
  release(): Promise<void>;
}

/**
 * Materialises environments on the server host (for online deployments). The server may not
 * import the agent, which knows how; the composition at the edge passes it in.
 */
export type PrepareHostEnvironment = (resolved: ResolvedEnvironment, o: { label: string; log: (line: string) => void; workingDir: string }) => Promise<HostEnvironment | null>;

/** Everything the server needs, decided at the edge (CLI flags, then env, then defaults). */
export interface ServerConfig {
  readonly dataDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** e.g. sqlite:///abs/path/lathe.db */
  readonly databaseUrl: string;
  /** e.g. file:///abs/path/blobs */
  readonly blobUrl: string;
  /** Where the local credentials file lives ($LATHE_HOME). */
  readonly latheHome: string;
  /** Slots of each workspace's `local` compute. */
  readonly localSlots: number;
  /** argv that starts `lathe agent`. */
  readonly agentCommand: readonly string[];
  /** Folder holding the `lathe` Python module, put on every run's PYTHONPATH. */
  readonly pythonPath?: string | undefined;
  /** The environment handed to agents (the server's own). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  /** How often the scheduler and reconciler look again (ms). */
  readonly tickMs?: number | undefined;
  readonly log: (message: string) => void;
  /** The built studio (packages/studio/dist), served at `/`; unset serves no studio. */
  readonly studioDir?: string | undefined;
  /** Builds or reuses environments for scoring workers; without it workers use the host Python. */
  readonly prepareHostEnvironment?: PrepareHostEnvironment | undefined;
}
