import { describe, expect, it } from 'vitest';
import { assignStepwise, assignToClusters } from '../../src/cluster/index.js';
import type { ClusteredInput } from '../../src/model.js';
import { loadUciSample } from '../../bench/cluster-data.js';

const stories = { level: 'stories', windowDays: 7 } as const;

describe('assignStepwise', () => {
  it('pauses between slices of work and ends with the result assignToClusters gives', () => {
    const inputs = loadUciSample().map((row) => row.input);
    const stored = inputs.slice(0, 2000);
    const first = assignToClusters([], stored, stories);
    const story = new Map(first.assignments.map((a) => [a.itemId, a.clusterId]));
    const resolve = (id: string): string => first.merges.find((m) => m.from === id)?.into ?? id;
    const existing: ClusteredInput[] = stored.map((input) => ({ ...input, clusterId: resolve(story.get(input.id)!) }));
    const fresh = inputs.slice(2000, 5000);

    const steps = assignStepwise(existing, fresh, stories);
    let pauses = 0;
    let next = steps.next();
    for (; !next.done; next = steps.next()) pauses += 1;

    expect(next.value).toEqual(assignToClusters(existing, fresh, stories));
    // At least one pause per slice of items read for the word counts, loaded and placed.
    expect(pauses).toBeGreaterThanOrEqual(Math.floor((existing.length + fresh.length) / 256) * 2);
  }, 60_000);
});
