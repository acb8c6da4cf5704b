// The CSV writer of the figures export: RFC 4180 quoting, formula-injection neutralising, the UTF-8 BOM, and the
// file written whole through a real file system.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { csvField, toCsv, UTF8_BOM } from '../../../src/main/figures/csv-writer';
import { writeCsvFile } from '../../../src/main/figures/csv-file';
import { FIGURES_CSV_HEADER, figuresCsv, figuresFileName } from '../../../src/main/figures/figures-csv';

describe('csvField', () => {
  it('leaves plain text and numbers as they are', () => {
    expect(csvField('Reader One')).toBe('Reader One');
    expect(csvField(42)).toBe('42');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(true)).toBe('true');
  });

  it('quotes fields with quotes, commas, line breaks or edge spaces, doubling the quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('crlf\r\nhere')).toBe('"crlf\r\nhere"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('"')).toBe('""""');
  });

  it('neutralises text a spreadsheet would run as a formula, and never a number', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1+1')).toBe("'+1+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField('=cmd|\' /C calc\'!A0, x')).toBe(`"'=cmd|' /C calc'!A0, x"`);
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(-0.5)).toBe('-0.5');
  });

  it('keeps Arabic text and isolating characters untouched', () => {
    expect(csvField('سارة المصري')).toBe('سارة المصري');
    expect(csvField('\u2068ليلى\u2069')).toBe('\u2068ليلى\u2069');
  });

  it('refuses numbers a spreadsheet cannot hold', () => {
    expect(() => csvField(Number.NaN)).toThrow(/not a number/);
    expect(() => csvField(Number.POSITIVE_INFINITY)).toThrow(/not a number/);
  });
});

describe('toCsv', () => {
  it('starts with the UTF-8 BOM and ends every record with CRLF', () => {
    const csv = toCsv(['name', 'n'], [['سارة', 1], ['a,b', null]]);
    expect(csv).toBe(`${UTF8_BOM}name,n\r\nسارة,1\r\n"a,b",\r\n`);
    const bytes = Buffer.from(csv, 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').startsWith('name,n')).toBe(true);
  });

  it('refuses a row of another width than the header', () => {
    expect(() => toCsv(['a', 'b'], [['x']])).toThrow(/row 1 has 1 fields, the header 2/);
  });
});

describe('figuresCsv', () => {
  const range = { from: '2026-11-01T00:00:00+02:00', to: '2026-12-01T00:00:00+02:00' };
  it('writes one self-describing row per figure row', () => {
    const csv = figuresCsv(
      {
        reviewers: [
          { reviewerId: 'r1', reviewerName: '=Mona', decisions: 4, approvals: 3, rejections: 1, decisionP50Seconds: 60, decisionP90Seconds: 90.5 },
          { reviewerId: null, reviewerName: null, decisions: 4, approvals: 3, rejections: 1, decisionP50Seconds: 60, decisionP90Seconds: 90.5 },
        ],
        readers: [{ readerId: 'a1', readerName: 'ليلى', notesDecided: 2, notesRejected: 1, rejectionRate: 0.5, replies: 3, unanswered: 0, replyP50Seconds: 30, replyP90Seconds: null }],
        reasons: [{ readerId: null, readerName: null, reason: 'Noise, "hiss"', rejections: 1, decisions: 4, rate: 0.25 }],
      },
      range,
    );
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe(FIGURES_CSV_HEADER.join(','));
    expect(lines.slice(1)).toEqual([
      `${range.from},${range.to},reviewer,r1,'=Mona,,4,3,1,0.25,,,60,90.5`,
      `${range.from},${range.to},reviewer,all,,,4,3,1,0.25,,,60,90.5`,
      `${range.from},${range.to},reader,a1,ليلى,,2,,1,0.5,3,0,30,`,
      `${range.from},${range.to},rejection_reason,all,,"Noise, ""hiss""",4,,1,0.25,,,,`,
      '',
    ]);
    expect(figuresFileName(range)).toBe('figures-2026-11-01-2026-12-01.csv');
  });
});

describe('writeCsvFile', () => {
  let dir: string | null = null;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  it('writes the bytes (BOM included), replaces an existing file whole and leaves no temporary file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'figures-csv-'));
    const target = path.join(dir, 'figures.csv');
    await writeFile(target, 'old contents that are longer than the new ones');
    const csv = toCsv(['name'], [['سارة']]);
    await writeCsvFile(target, csv);
    const bytes = await readFile(target);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toBe(csv);
    expect(await readdir(dir)).toEqual(['figures.csv']);
  });

  it('fails clearly where it cannot write, and leaves nothing behind', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'figures-csv-'));
    await expect(writeCsvFile(path.join(dir, 'missing-folder', 'f.csv'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});
