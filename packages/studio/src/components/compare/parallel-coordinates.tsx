import { useMemo, useState } from 'react';
import { buildAxis, type AxisSource } from './compare-model';

const H = 300;
const TOP = 36;
const BOTTOM = 28;
const PAD_X = 60;

/**
 * Parallel coordinates: one vertical axis per param or metric, one line per run crossing
 * each axis at its value. Hovering a line (or its run in the legend) brings it forward.
 */
export function ParallelCoordinates({ sources, axisIds, runs, width }: { sources: AxisSource[]; axisIds: string[]; runs: Array<{ id: string; label: string; color: string }>; width: number }) {
  const axes = useMemo(() => axisIds.map((id) => sources.find((s) => s.id === id)).filter((s): s is AxisSource => !!s).map(buildAxis), [sources, axisIds]);
  const [hover, setHover] = useState<number | null>(null);
  if (axes.length < 2) return <div className="muted small">Pick at least two axes.</div>;
  const w = Math.max(320, width);
  const step = (w - PAD_X * 2) / (axes.length - 1);
  const x = (i: number) => PAD_X + i * step;
  const y = (p: number) => TOP + (1 - p) * (H - TOP - BOTTOM);
  return (
    <svg className="pcoords" width={w} height={H} role="img" aria-label="Parallel coordinates of the compared runs" data-testid="parallel-coordinates">
      {axes.map((a, i) => (
        <g key={a.id} transform={`translate(${x(i)},0)`}>
          <line y1={TOP} y2={H - BOTTOM} className="pc-axis" />
          <text y={TOP - 18} textAnchor="middle" className="pc-label">
            {a.label.length > 18 ? `${a.label.slice(0, 17)}…` : a.label}
            <title>{`${a.id.startsWith('metric:') ? 'metric' : 'param'} ${a.label}`}</title>
          </text>
          <text y={TOP - 6} textAnchor="middle" className="pc-kind">
            {a.id.startsWith('metric:') ? 'metric' : 'param'}
          </text>
          {a.ticks.slice(0, 12).map((t) => (
            <text key={`${t.label}:${t.at}`} x={-6} y={y(t.at) + 3} textAnchor="end" className="pc-tick">
              {t.label.length > 10 ? `${t.label.slice(0, 9)}…` : t.label}
            </text>
          ))}
        </g>
      ))}
      {runs.map((r, ri) => {
        const pts: string[] = [];
        const segments: string[][] = [];
        axes.forEach((a, i) => {
          const p = a.positions[ri];
          if (p === null || p === undefined) {
            if (pts.length) segments.push(pts.splice(0));
            return;
          }
          pts.push(`${x(i)},${y(p)}`);
        });
        if (pts.length) segments.push(pts);
        const dim = hover !== null && hover !== ri;
        return (
          <g key={r.id} onMouseEnter={() => setHover(ri)} onMouseLeave={() => setHover(null)} className="pc-run">
            {segments.map((s, si) => (
              <polyline key={si} points={s.join(' ')} fill="none" stroke={r.color} strokeWidth={hover === ri ? 3 : 2} strokeOpacity={dim ? 0.15 : 0.9} />
            ))}
            {segments.flat().map((p) => {
              const [cx, cy] = p.split(',').map(Number);
              return <circle key={p} cx={cx} cy={cy} r={3} fill={r.color} opacity={dim ? 0.15 : 1} />;
            })}
            <title>{r.label}</title>
          </g>
        );
      })}
    </svg>
  );
}
