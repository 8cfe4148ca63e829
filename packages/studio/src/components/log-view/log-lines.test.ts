import { describe, expect, it } from 'vitest';
import { findLines, logLines, splitMatches } from './log-lines';

describe('log lines', () => {
  it('strips colours and keeps the last state of a progress bar', () => {
    expect(logLines('\u001b[32mok\u001b[0m\n10%\r50%\r100%\ndone\n')).toEqual(['ok', '100%', 'done']);
    expect(logLines('crlf\r\nline\r\n')).toEqual(['crlf', 'line']);
  });
  it('finds and splits matches case-insensitively', () => {
    expect(findLines(['Epoch 1', 'loss', 'EPOCH 2'], 'epoch')).toEqual([0, 2]);
    expect(splitMatches('a Loss loss', 'loss')).toEqual([{ text: 'a ', match: false }, { text: 'Loss', match: true }, { text: ' ', match: false }, { text: 'loss', match: true }]);
  });
});
