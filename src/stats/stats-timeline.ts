/**
 * The session's timeline, drawn on the server as SVG geometry: one bar per
 * person (each interval a segment) and a step line of how many people were
 * inside over time. The page's template draws these numbers; no script runs.
 */
export interface TimelinePerson {
  name: string;
  intervals: ReadonlyArray<{ joinedAt: number; leftAt: number | null }>;
}

export interface Timeline {
  width: number;
  height: number;
  labelWidth: number;
  rows: Array<{ y: number; name: string; segments: Array<{ x: number; width: number }> }>;
  /** The count of people inside, as an SVG path, in the band below the bars. */
  countPath: string;
  countTop: number;
  countHeight: number;
  maxCount: number;
  ticks: Array<{ x: number; at: number }>;
}

const WIDTH = 760;
const LABEL = 160;
const ROW = 18;
const COUNT_BAND = 60;
const MAX_ROWS = 200;

export function buildTimeline(start: number, end: number, people: readonly TimelinePerson[]): Timeline {
  const span = Math.max(1, end - start);
  const plot = WIDTH - LABEL - 10;
  const x = (at: number) => LABEL + Math.round((Math.min(Math.max(at, start), end) - start) / span * plot * 10) / 10;
  const shown = people.slice(0, MAX_ROWS);
  const rows = shown.map((person, index) => ({
    y: 10 + index * ROW,
    name: person.name,
    segments: person.intervals.map((interval) => {
      const from = x(interval.joinedAt);
      return { x: from, width: Math.max(1, x(interval.leftAt ?? end) - from) };
    }),
  }));
  const countTop = 20 + shown.length * ROW;
  const { path, max } = countPathOf(people, start, end, x, countTop, COUNT_BAND);
  const ticks = Array.from({ length: 5 }, (_, index) => ({ x: LABEL + Math.round(plot * index / 4), at: start + Math.round(span * index / 4) }));
  return { width: WIDTH, height: countTop + COUNT_BAND + 24, labelWidth: LABEL, rows, countPath: path, countTop, countHeight: COUNT_BAND, maxCount: max, ticks };
}

function countPathOf(people: readonly TimelinePerson[], start: number, end: number, x: (at: number) => number, top: number, band: number): { path: string; max: number } {
  const changes: Array<[number, number]> = [];
  for (const person of people) for (const interval of person.intervals) changes.push([interval.joinedAt, 1], [interval.leftAt ?? end, -1]);
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let count = 0;
  let max = 0;
  const steps: Array<[number, number]> = [[start, 0]];
  for (const [at, change] of changes) {
    count += change;
    max = Math.max(max, count);
    steps.push([at, count]);
  }
  steps.push([end, count]);
  const y = (value: number) => top + band - (max === 0 ? 0 : Math.round(value / max * band));
  let path = `M${x(start)} ${y(0)}`;
  for (const [at, value] of steps) {
    path += ` H${x(at)} V${y(value)}`;
  }
  return { path, max };
}
