import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { invalid, type MlModelInfo } from '@lathe/contract';
import type { SnapshotService } from '../snapshots/snapshot-service.js';
import { parseMlModel } from '../models/mlmodel.js';

/** What a deployment's workers need on disk. */
export interface DeploymentFiles {
  codeDir: string | null;
  modelDir: string | null;
  /** The MLmodel (its raw mapping) of an mlflow_model, for the no-code path. */
  mlmodel: MlModelInfo | null;
}

/** Write a snapshot's files under `dir` (snapshot paths are validated when snapshots are made). */
async function writeSnapshot(snapshots: SnapshotService, wsId: number, snapshotId: string, dir: string): Promise<string[]> {
  const snap = await snapshots.get(wsId, snapshotId);
  for (const f of snap.files) {
    const target = join(dir, f.path);
    await mkdir(dirname(target), { recursive: true });
    await pipeline(await snapshots.downloadBlob(wsId, f.sha256), createWriteStream(target, { mode: f.mode ?? 0o644 }));
  }
  return snap.files.map((f) => f.path);
}

/**
 * Materialise one deployment generation's code and model under `root`. The model's files
 * sit directly in AZUREML_MODEL_DIR; a link named after the registered folder points back
 * at it, so Azure ML scripts that join `AZUREML_MODEL_DIR` with `<folder>/file` also work.
 */
export async function materializeDeployment(o: {
  snapshots: SnapshotService;
  wsId: number;
  root: string;
  code: { snapshot_id: string } | null;
  model: { snapshot_id: string; source: string; mlmodel: MlModelInfo | null } | null;
}): Promise<DeploymentFiles> {
  await rm(o.root, { recursive: true, force: true });
  let codeDir: string | null = null;
  let modelDir: string | null = null;
  let mlmodel: MlModelInfo | null = null;
  if (o.code) {
    codeDir = join(o.root, 'code');
    await mkdir(codeDir, { recursive: true });
    await writeSnapshot(o.snapshots, o.wsId, o.code.snapshot_id, codeDir);
  }
  if (o.model) {
    modelDir = join(o.root, 'model');
    await mkdir(modelDir, { recursive: true });
    const paths = await writeSnapshot(o.snapshots, o.wsId, o.model.snapshot_id, modelDir);
    const folder = basename(o.model.source.replace(/[\\/]+$/, ''));
    if (/^[\w.-]+$/.test(folder) && folder !== '.' && folder !== '..' && !paths.some((p) => p === folder || p.startsWith(`${folder}/`))) {
      await symlink('.', join(modelDir, folder)).catch(() => undefined);
    }
    mlmodel = o.model.mlmodel;
    if (!mlmodel && paths.includes('MLmodel')) {
      try {
        mlmodel = parseMlModel(await readFile(join(modelDir, 'MLmodel'), 'utf8'));
      } catch (err) {
        throw invalid(`the model's MLmodel file is not valid YAML: ${(err as Error).message}`);
      }
    }
  }
  return { codeDir, modelDir, mlmodel };
}

/** Remove generation folders other than `keep` (older rollouts). */
export async function pruneGenerations(deploymentDir: string, keep: string): Promise<void> {
  const entries = await readdir(deploymentDir).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => e !== keep && e !== 'logs').map((e) => rm(join(deploymentDir, e), { recursive: true, force: true })));
}
