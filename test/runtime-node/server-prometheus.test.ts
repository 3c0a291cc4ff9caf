// The /metrics text format, line by line: HELP/TYPE headers, labels (escaped), counters summed per label
// set, histogram buckets cumulative with an upper bound included, +Inf/-Inf/NaN spelled as Prometheus does.
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, ServerMetrics } from '../../runtime-node/server/prometheus.js';

describe('Counter', () => {
  it('sums per label set, in first-seen order, with escaped label values', () => {
    const c = new Counter('reqs_total', 'Requests.');
    c.inc({ route: '/a', code: '200' });
    c.inc({ route: '/a', code: '200' }, 2);
    c.inc({ route: 'say "hi"\\\n' });
    c.inc();
    expect(c.render().split('\n')).toEqual([
      '# HELP reqs_total Requests.',
      '# TYPE reqs_total counter',
      'reqs_total{route="/a",code="200"} 3',
      'reqs_total{route="say \\"hi\\"\\\\\\n"} 1',
      'reqs_total 1',
    ]);
  });

  it('an empty counter renders only its headers', () => {
    expect(new Counter('c', 'h').render()).toBe('# HELP c h\n# TYPE c counter');
  });
});

describe('Gauge', () => {
  it('renders its value with fixed labels; infinities and NaN spelled out', () => {
    const g = new Gauge('queue', 'Queued.', { provider: 'cpu' });
    expect(g.render()).toBe('# HELP queue Queued.\n# TYPE queue gauge\nqueue{provider="cpu"} 0');
    g.set(2.5);
    expect(g.render().split('\n')[2]).toBe('queue{provider="cpu"} 2.5');
    for (const [v, text] of [[Infinity, '+Inf'], [-Infinity, '-Inf'], [NaN, 'NaN'], [-3, '-3']] as const) {
      g.set(v);
      expect(g.render().split('\n')[2]).toBe(`queue{provider="cpu"} ${text}`);
    }
    expect(new Gauge('plain', 'P.').render().split('\n')[2]).toBe('plain 0');
  });
});

describe('Histogram', () => {
  it('counts a value in every bucket whose bound it does not exceed (bound included), plus sum and count', () => {
    const h = new Histogram('lat', 'Latency.', [0.1, 1]);
    h.observe(0.1, { route: '/p' });
    h.observe(0.5, { route: '/p' });
    h.observe(3, { route: '/p' });
    h.observe(1);
    expect(h.render().split('\n')).toEqual([
      '# HELP lat Latency.',
      '# TYPE lat histogram',
      'lat_bucket{route="/p",le="0.1"} 1',
      'lat_bucket{route="/p",le="1"} 2',
      'lat_bucket{route="/p",le="+Inf"} 3',
      'lat_sum{route="/p"} 3.6',
      'lat_count{route="/p"} 3',
      'lat_bucket{le="0.1"} 0',
      'lat_bucket{le="1"} 1',
      'lat_bucket{le="+Inf"} 1',
      'lat_sum 1',
      'lat_count 1',
    ]);
  });
});

describe('ServerMetrics', () => {
  it('renders every metric once, the model info gauge at 1 with its provider, ending in a newline', () => {
    const m = new ServerMetrics('cuda');
    const text = m.render();
    expect(text.endsWith('\n')).toBe(true);
    expect(text.match(/^# TYPE .*$/gm)).toEqual([
      '# TYPE ecg_http_requests_total counter',
      '# TYPE ecg_http_request_duration_seconds histogram',
      '# TYPE ecg_batch_size_beats histogram',
      '# TYPE ecg_beats_classified_total counter',
      '# TYPE ecg_batch_queue_beats gauge',
      '# TYPE ecg_model_info gauge',
    ]);
    expect(text).toContain('\necg_model_info{provider="cuda"} 1\n');
    m.batchSize.observe(3);
    expect(m.render()).toContain('ecg_batch_size_beats_bucket{le="2"} 0\necg_batch_size_beats_bucket{le="4"} 1\n');
    m.latency.observe(0.0005);
    expect(m.render()).toContain('ecg_http_request_duration_seconds_bucket{le="0.0005"} 1\n');
    expect(m.render()).toContain('ecg_http_request_duration_seconds_bucket{le="2.5"} 1\necg_http_request_duration_seconds_bucket{le="+Inf"} 1\n');
  });
});
