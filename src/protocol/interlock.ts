/**
 * Interlocks as lab files write them: `reactor.pressure > 8 bar for 2 s` — a condition on readings, optionally held
 * for a time before it trips. Parsed here for the checks; the loop watches them on live readings (a reading made
 * invalid by a lost link counts as tripped).
 */
import { parseDuration } from '../common/durations.js';
import { referencesOf, type Node } from '../common/expression.js';
import { parseCondition } from './value-template.js';

export interface ParsedInterlock {
  condition: Node;
  /** How long the condition must hold before the interlock trips, lab ms (0: at once). */
  holdMs: number;
  /** The readings it watches, as [instrument, reading]. */
  readings: [string, string][];
}

const HELD_FOR = /^([\s\S]*\S)\s+for\s+(\S[^]*)$/;

export function parseInterlock(
  text: string,
): { ok: true; interlock: ParsedInterlock } | { ok: false; message: string } {
  let conditionText = text;
  let holdMs = 0;
  const held = HELD_FOR.exec(text);
  if (held) {
    const ms = parseDuration(held[2] ?? '');
    if (ms === undefined)
      return { ok: false, message: `expected a duration after "for", such as 2 s, got "${held[2] ?? ''}"` };
    conditionText = held[1] ?? '';
    holdMs = ms;
  }
  const c = parseCondition(conditionText);
  if (!c.ok) return { ok: false, message: c.problem.message };
  const readings = referencesOf(c.node).map((p) => [p[0] ?? '', p.slice(1).join('.')] as [string, string]);
  return { ok: true, interlock: { condition: c.node, holdMs, readings } };
}
