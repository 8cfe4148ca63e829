import { describe, expect, it } from 'vitest';
import { parseRunSource } from './model-source.js';
import { parseMlModel } from './mlmodel.js';

describe('parseRunSource', () => {
  it.each([
    ['runs:/abc123/model', { runId: 'abc123', path: 'model' }],
    ['runs:/abc123', { runId: 'abc123', path: '' }],
    ['mlflow-artifacts:/0/abc123/artifacts/model', { runId: 'abc123', path: 'model' }],
    ['mlflow-artifacts://host:5000/7/abc123/artifacts/a/b', { runId: 'abc123', path: 'a/b' }],
    ['azureml://jobs/shy_lamp_1/outputs/model_out/paths/model.pkl', { runId: 'shy_lamp_1', path: 'named-outputs/model_out/model.pkl' }],
    ['azureml://jobs/shy_lamp_1/outputs/artifacts/paths/outputs/m', { runId: 'shy_lamp_1', path: 'outputs/m' }],
    ['azureml://datastores/workspaceblobstore/paths/azureml/shy_lamp_1/model_out/', { runId: 'shy_lamp_1', path: 'named-outputs/model_out' }],
  ])('reads %s', (uri, expected) => {
    expect(parseRunSource(uri)).toEqual(expected);
  });

  it('keeps other URIs as they are', () => {
    expect(parseRunSource('s3://bucket/model')).toBeNull();
  });
});

describe('parseMlModel', () => {
  it('reads flavors and decodes the signature', () => {
    const info = parseMlModel(`artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
  sklearn:
    pickled_model: model.pkl
run_id: abc
signature:
  inputs: '[{"type": "double", "name": "x"}]'
  outputs: '[{"type": "long"}]'
`);
    expect(info.flavors).toEqual(['python_function', 'sklearn']);
    expect(info.signature?.inputs).toEqual([{ type: 'double', name: 'x' }]);
    expect(info.run_id).toBe('abc');
  });
});
