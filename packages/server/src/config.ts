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
}
