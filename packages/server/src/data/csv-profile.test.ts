import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvProfiler, profileCsv } from './csv-profile.js';

const feed = (text: string, chunk: number) => {
  const p = new CsvProfiler();
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk));
  return p.end();
};

describe('CsvProfiler', () => {
  const csv = 'id,name,score,ok,when\r\n1,"Smith, J",1.5,true,2024-01-02\r\n2,"say ""hi""",,false,2024-02-03T10:00:00Z\r\n3,"multi\nline",2.5,TRUE,2024-03-04\r\n2,bob,3.5,false,';

  it('reads quoted fields, doubled quotes, CRLF and a last line without newline, whatever the chunking', () => {
    for (const chunk of [1, 2, 3, 7, 1000]) {
      const r = feed(csv, chunk);
      expect(r.row_count).toBe(4);
      const byName = Object.fromEntries(r.columns.map((c) => [c.name, c]));
      expect(byName.id).toMatchObject({ type: 'integer', min: 1, max: 3, nulls: 0, distinct_estimate: 3, mean: 2 });
      expect(byName.id!.top_values[0]).toEqual({ value: '2', count: 2 });
      expect(byName.name).toMatchObject({ type: 'string', distinct_estimate: 4, min: 'Smith, J', max: 'say "hi"' });
      expect(byName.name!.top_values.map((t) => t.value)).toContain('multi\nline');
      expect(byName.score).toMatchObject({ type: 'float', nulls: 1, min: 1.5, max: 3.5, mean: 2.5 });
      expect(byName.ok).toMatchObject({ type: 'boolean', nulls: 0 });
      expect(byName.when).toMatchObject({ type: 'datetime', nulls: 1 });
    }
  });

  it('estimates distinct values past the exact cap within a few percent', async () => {
    const lines = ['k'];
    for (let i = 0; i < 50_000; i++) lines.push(`key-${i}`);
    const r = await profileCsv([Readable.from([Buffer.from(lines.join('\n'))])]);
    expect(r.row_count).toBe(50_000);
    expect(Math.abs(r.columns[0]!.distinct_estimate - 50_000) / 50_000).toBeLessThan(0.05);
  });

  it('profiles several files of one table (each repeats the header)', async () => {
    const r = await profileCsv([Readable.from([Buffer.from('a,b\n1,x\n2,y')]), Readable.from([Buffer.from('a,b\n3,z\n')])]);
    expect(r.row_count).toBe(3);
    expect(r.columns[0]).toMatchObject({ name: 'a', type: 'integer', max: 3 });
  });
});
