import { createContext, useContext } from 'react';
import type { LatheClient } from '@lathe/client';
import type { Run } from '@lathe/contract';
import type { RunStream, RunStreamState } from '../../lib/run-stream';

export interface RunView {
  run: Run;
  ws: string;
  client: LatheClient;
  stream: RunStream;
  live: RunStreamState;
  /** Active (not yet Completed, Failed or Canceled). */
  active: boolean;
  reload(): void;
}

export const RunContext = createContext<RunView | null>(null);

export function useRunView(): RunView {
  const v = useContext(RunContext);
  if (!v) throw new Error('useRunView outside a run page');
  return v;
}
