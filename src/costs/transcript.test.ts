import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeLines, escapeProjectDir, parseTranscript } from './transcript.ts';
import { costOf, DEFAULT_PRICES, priceFor, priceTable } from './prices.ts';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../test/fixtures/claude-transcripts', name), 'utf8');

describe('parseTranscript', () => {
  it('reads a Gemini CLI chat file: one record per model turn, a turn logged again with its tool calls counted once', () => {
    const text = readFileSync(join(import.meta.dirname, '../../test/fixtures/gemini-chats/tool-turns.jsonl'), 'utf8');
    expect(text.match(/"type":"gemini"/g)?.length).toBe(7);
    const p = parseTranscript(text);
    expect(p.skipped).toBe(0);
    expect(p.records.map((r) => [r.id.slice(0, 8), r.model, r.input, r.output, r.cache_read])).toEqual([
      ['9dfe972f', 'gemini-2.5-flash', 12855, 14, 0],
      ['1154f7d2', 'gemini-2.5-flash', 12958, 13, 0],
      ['d946cca5', 'gemini-2.5-flash', 13063, 13, 0],
      ['a5104204', 'gemini-2.5-flash', 13168, 28, 0],
    ]);
  });

  it("splits the cached part out of a Gemini turn's input and counts its thoughts as output", () => {
    const line = JSON.stringify({
      id: 'g1',
      type: 'gemini',
      model: 'gemini-2.5-pro',
      timestamp: '2026-12-06T00:00:00Z',
      tokens: { input: 1000, output: 10, cached: 600, thoughts: 5, tool: 0, total: 1015 },
    });
    expect(parseTranscript(`${line}\n`).records).toEqual([
      expect.objectContaining({ id: 'g1', input: 400, cache_read: 600, output: 15, cache_write: 0 }),
    ]);
  });

  it('reads the one response of a captured print-mode session', () => {
    const p = parseTranscript(fixture('print-mode.jsonl'));
    expect(p.skipped).toBe(0);
    expect(p.records).toEqual([
      expect.objectContaining({
        id: 'msg_test_1',
        model: 'claude-opus-5-5',
        input: 11779,
        output: 13,
        cache_read: 0,
        cache_write: 0,
        session_id: '0f0d50f8-1d1f-4c72-897b-c7fc84a3b581',
      }),
    ]);
  });

  it('counts a response logged once per content block only once', () => {
    const text = fixture('tool-turn.jsonl');
    expect(text.match(/"id":"msg_test_1"/g)?.length).toBe(2);
    const p = parseTranscript(text);
    expect(p.records.map((r) => [r.id, r.input, r.output])).toEqual([
      ['msg_test_1', 13564, 29],
      ['msg_test_2', 13676, 7],
    ]);
    expect(p.records[0]!.cwd).toMatch(/town\/mayor$/);
  });

  it('skips garbage and torn lines, counting them, and ignores synthetic messages', () => {
    const good =
      '{"type":"assistant","sessionId":"s","timestamp":"2026-01-01T00:00:00Z","message":{"id":"m1","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}}}';
    const synthetic =
      '{"type":"assistant","message":{"id":"m2","model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}';
    const p = parseTranscript(`${good}\nnot json\n[1,2]\n\n${synthetic}\n{"type":"assist`);
    expect(p.records).toEqual([
      expect.objectContaining({ id: 'm1', input: 10, output: 5, cache_read: 100, cache_write: 20 }),
    ]);
    expect(p).toMatchObject({ skipped: 3, skippedLines: [2, 3, 6] });
  });

  it('takes the largest counts when a streamed response is logged again with more output', () => {
    const line = (out: number): string =>
      `{"type":"assistant","timestamp":"2026-01-01T00:00:0${out}Z","message":{"id":"m","model":"x","usage":{"input_tokens":7,"output_tokens":${out}}}}`;
    const p = parseTranscript(`${line(1)}\n${line(9)}\n`);
    expect(p.records).toEqual([expect.objectContaining({ id: 'm', output: 9, at: '2026-01-01T00:00:01Z' })]);
  });
});

describe('completeLines and escapeProjectDir', () => {
  it('stops at the last newline so a line being written is read whole next time', () => {
    expect(completeLines(Buffer.from('a\nb\npart'), 10)).toEqual({ text: 'a\nb\n', next: 14 });
    expect(completeLines(Buffer.from('part'), 10)).toEqual({ text: '', next: 10 });
  });
  it('names project directories as Claude Code does', () => {
    expect(escapeProjectDir('/tmp/cx/run/work dir')).toBe('-tmp-cx-run-work-dir');
  });
});

describe('prices', () => {
  it('reproduce the cost Claude Code itself computed for the captured session', () => {
    const [r] = parseTranscript(fixture('print-mode.jsonl')).records;
    expect(costOf(r!, priceFor(r!.model, DEFAULT_PRICES)!)).toBeCloseTo(0.047376, 9);
  });
  it('match dated and suffixed ids, take overrides, and know nothing of other vendors', () => {
    const t = priceTable({
      'claude-opus-5-5': { input: 1, output: 2, cache_read: 0, cache_write: 0 },
      'glm-4': { input: 0.5, output: 1, cache_read: 0, cache_write: 0 },
    });
    expect(priceFor('claude-haiku-4-5-20251001', t)).toEqual(DEFAULT_PRICES['claude-haiku-4-5']);
    expect(priceFor('claude-opus-5-5[1m]', t)?.input).toBe(1);
    expect(priceFor('claude-opus-4-1-fast', t)).toEqual(DEFAULT_PRICES['claude-opus-4-1']);
    expect(priceFor('glm-4', t)?.output).toBe(1);
    expect(priceFor('gpt-9', t)).toBeUndefined();
    expect(
      costOf(
        { input: 1_000_000, output: 1_000_000, cache_read: 1_000_000, cache_write: 1_000_000 },
        DEFAULT_PRICES['claude-sonnet-4-5']!,
      ),
    ).toBeCloseTo(3 + 15 + 0.3 + 3.75, 9);
  });
});
