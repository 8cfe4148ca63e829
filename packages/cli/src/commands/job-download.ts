import { join } from 'node:path';
import { downloadSnapshot, saveUnder } from '../upload/download-snapshot.js';
import type { LatheClient } from '@lathe/client';
import type { Artifact } from '@lathe/contract';
import type { Output } from '../output/output.js';
import { formatBytes } from '../output/format.js';

export interface DownloadChoice {
  outputName?: string | undefined;
  all?: boolean | undefined;
  snapshot?: boolean | undefined;
}

async function listAll(client: LatheClient, run: string, prefix?: string): Promise<Artifact[]> {
  const out: Artifact[] = [];
  let token: string | undefined;
  do {
    const page = await client.call('listArtifacts', { params: { run }, query: { prefix, max_results: 1000, page_token: token } });
    out.push(...page.items);
    token = page.next_page_token ?? undefined;
  } while (token);
  return out;
}

/**
 * As `az ml job download`: by default the job's artifacts (outputs and logs) into
 * `<path>/artifacts/`; `--output-name X` into `<path>/named-outputs/X/`; `--all` both.
 * `--snapshot` adds the submitted code under `<path>/snapshot/`.
 */
export async function downloadJob(client: LatheClient, run: string, dest: string, choice: DownloadChoice, out: Output): Promise<{ files: number; bytes: number }> {
  const wanted: Array<{ artifact: Artifact; rel: string }> = [];
  const artifacts = await listAll(client, run);
  for (const a of artifacts) {
    const named = /^named-outputs\/([^/]+)\//.exec(a.path);
    if (named) {
      if (choice.all || choice.outputName === named[1]) wanted.push({ artifact: a, rel: a.path });
    } else if (choice.all || !choice.outputName) {
      wanted.push({ artifact: a, rel: `artifacts/${a.path}` });
    }
  }
  if (choice.outputName && !choice.all && !wanted.length) {
    const names = [...new Set(artifacts.map((a) => /^named-outputs\/([^/]+)\//.exec(a.path)?.[1]).filter(Boolean))];
    throw new Error(`job '${run}' has no output named '${choice.outputName}' with files${names.length ? ` (outputs with files: ${names.join(', ')})` : ''}`);
  }
  let bytes = 0;
  for (const { artifact, rel } of wanted) {
    const res = await client.download('downloadArtifact', { params: { run }, query: { path: artifact.path } });
    await saveUnder(dest, rel, res.body);
    bytes += artifact.size;
  }
  let files = wanted.length;
  if (choice.snapshot) {
    const r = await client.call('getRun', { params: { run } });
    const id = r.job?.code_snapshot_id;
    if (!id) {
      out.warn(`job '${run}' was submitted without code; there is no snapshot to download`);
    } else {
      const got = await downloadSnapshot(client, id, join(dest, 'snapshot'));
      files += got.files;
      bytes += got.bytes;
    }
  }
  out.note(`Downloaded ${files} file(s), ${formatBytes(bytes)}, to ${dest}`);
  return { files, bytes };
}
