import type { LiveDeployment } from './live-deployment.js';

/** An endpoint as the gateway's hot path needs it, kept in memory and replaced on every change. */
export interface LiveEndpoint {
  readonly name: string;
  readonly wsId: number;
  readonly wsName: string;
  readonly authMode: 'key' | 'aml_token';
  /** Primary and secondary key bytes, compared in constant time. */
  readonly keys: readonly Buffer[];
  /** Deployments with live traffic, with the cumulative upper bound of each one's share (0–100). */
  readonly routes: ReadonlyArray<{ readonly deployment: LiveDeployment; readonly upTo: number }>;
  readonly mirror: { readonly deployment: LiveDeployment; readonly percent: number } | null;
  readonly deployments: ReadonlyMap<string, LiveDeployment>;
}
