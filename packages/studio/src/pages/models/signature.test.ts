import { describe, expect, it } from 'vitest';
import { signatureFields } from './signature';

describe('signatureFields', () => {
  it('reads column specs kept as a JSON string', () => {
    expect(signatureFields('[{"name": "x", "type": "double"}, {"name": "label", "type": "long", "required": false}]')).toEqual([
      { name: 'x', type: 'double' },
      { name: 'label', type: 'long', optional: true },
    ]);
  });
  it('reads tensor specs', () => {
    expect(signatureFields([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 4] } }])).toEqual([{ name: '#0', type: 'tensor<float32>', shape: '[-1, 4]' }]);
  });
  it('says nothing when there is no signature', () => {
    expect(signatureFields(null)).toBeNull();
    expect(signatureFields({})).toBeNull();
  });
});
