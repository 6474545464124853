import { describe, expect, it } from 'vitest';
import { DecisionLog } from '../../src/cluster/decision-log.js';
import type { PlacementDecision } from '../../src/model.js';

describe('DecisionLog', () => {
  it('gives back every decision as recorded, in order, story ids mapped, past its first growth', () => {
    const recorded: PlacementDecision[] = Array.from({ length: 3000 }, (_, i) =>
      i % 3 === 0
        ? { itemId: `i${i}`, storyId: `s${i % 7}`, comparedWith: null, rule: 'new-story', score: null, threshold: null }
        : i % 3 === 1
          ? { itemId: `i${i}`, storyId: `s${i % 5}`, comparedWith: `s${i % 5}`, rule: 'story', score: i / 3000, threshold: 0.25 }
          : {
              itemId: null,
              storyId: `s${i % 4}`,
              comparedWith: `s${i}`,
              rule: 'story-merge',
              score: 0.5,
              threshold: 0.4,
              detail: `why ${i}`,
            },
    );
    const log = new DecisionLog();
    for (const decision of recorded) log.push(decision);
    expect(log.length).toBe(3000);
    const renamed = (id: string): string => (id === 's1' ? 's0' : id);
    expect(log.toArray(renamed)).toEqual(recorded.map((d) => ({ ...d, storyId: renamed(d.storyId) })));
    // Same keys in the same order: the result is serialised (clusters --json, the worker's message).
    expect(JSON.stringify(log.toArray((id) => id))).toBe(JSON.stringify(recorded));
  });
});
