/** Who is calling: a user with a personal token, or a run's agent/script with a run-scoped token. */
export type Principal =
  | { kind: 'user'; userId: number; userName: string; isAdmin: boolean }
  | { kind: 'run'; userId: number; userName: string; isAdmin: false; runId: string; workspaceId: number };
