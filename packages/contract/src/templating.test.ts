import { describe, expect, it } from 'vitest';
import { commandRefs, renderCommand, undeclaredRefs } from './templating.js';

describe('command templating', () => {
  it('substitutes inputs and outputs', () => {
    expect(renderCommand('python t.py --lr ${{inputs.lr}} --out ${{ outputs.model }}', { inputs: { lr: '0.1' }, outputs: { model: '/o/m' } }))
      .toBe('python t.py --lr 0.1 --out /o/m');
  });

  it('keeps an optional fragment only when all its inputs have values', () => {
    const cmd = 'run $[[--seed ${{inputs.seed}}]] $[[--note ${{inputs.note}}]]';
    expect(renderCommand(cmd, { inputs: { seed: '7' }, outputs: {} })).toBe('run --seed 7 ');
  });

  it('finds references the job does not declare, ignoring optional ones', () => {
    expect(undeclaredRefs('a ${{inputs.x}} $[[${{inputs.y}}]] ${{outputs.z}}', ['q'], [])).toEqual([
      { kind: 'inputs', name: 'x', optional: false },
      { kind: 'outputs', name: 'z', optional: false },
    ]);
    expect(commandRefs('$[[${{inputs.y}}]]')).toEqual([{ kind: 'inputs', name: 'y', optional: true }]);
  });

  it('refuses to render a required reference with no value', () => {
    expect(() => renderCommand('${{inputs.missing}}', { inputs: {}, outputs: {} })).toThrow(/inputs.missing/);
  });
});
