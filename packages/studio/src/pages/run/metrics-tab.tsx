import { useMemo, useState } from 'react';
import { useApi } from '../../app/api-context';
import { ChartControls, MetricPanel, RUN_COLORS, loadChartSettings, saveChartSettings, type ChartSettings, type PanelRun } from '../../components/chart/metric-panel';
import { SearchIcon } from '../../components/icons';
import { Empty, ErrorPanel, Loading } from '../../components/states';
import { useRunView } from './run-context';

export function MetricsTab() {
  const { run, client, ws, active } = useRunView();
  const keys = useApi(`metric-keys:${ws}:${run.id}`, () => client.call('listMetricKeys', { params: { run: run.id } }), { pollMs: active ? 3000 : false });
  const [settings, setSettings] = useState<ChartSettings>(loadChartSettings);
  const [q, setQ] = useState('');
  const update = (s: ChartSettings) => {
    setSettings(s);
    saveChartSettings(s);
  };
  const runs: PanelRun[] = useMemo(() => [{ id: run.id, label: run.display_name, color: RUN_COLORS[0]!, t0: run.started_at ?? run.created_at }], [run.id, run.display_name, run.started_at, run.created_at]);
  // Series (logged over steps) first, single values after.
  const series = (k: string) => (run.metrics[k]?.step ?? 1) > 0;
  const all = keys.data?.keys ?? [];
  const shown = [...all.filter(series), ...all.filter((k) => !series(k))].filter((k) => k.toLowerCase().includes(q.trim().toLowerCase()));

  if (keys.loading) return <Loading what="metrics" />;
  if (keys.error && !keys.data) return <ErrorPanel error={keys.error} what="metrics" onRetry={keys.reload} />;
  if (!keys.data?.keys.length) {
    return (
      <Empty title={active ? 'No metrics yet' : 'No metrics were logged'}>
        Scripts log metrics with <code>lathe.log_metric("loss", value, step=epoch)</code> or <code>mlflow.log_metric</code>.
      </Empty>
    );
  }
  return (
    <div className="metrics-tab">
      <div className="toolbar">
        {keys.data.keys.length > 6 ? (
          <div className="filter-box">
            <SearchIcon />
            <input data-search className="filter-input" placeholder="Find a metric" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Find a metric" />
          </div>
        ) : null}
        <ChartControls settings={settings} onChange={update} />
        <span className="spacer" />
        <span className="muted small">Drag across a chart to zoom in; double-click to zoom out.</span>
      </div>
      <div className="chart-grid">
        {shown.map((k) => (
          <MetricPanel key={k} client={client} ws={ws} runs={runs} metricKey={k} settings={settings} live={active} syncKey={`run:${run.id}`} />
        ))}
      </div>
    </div>
  );
}
