// Drawing: the ECG trace (SVG polyline), one probability bar per class, and the batch table.
// Every number the tests read is also put in a data attribute at full precision.
import type { ClassInfo, Prediction } from '@ecg-onnx/core';

const SVG = 'http://www.w3.org/2000/svg';

export function drawTrace(svg: SVGSVGElement, values: ArrayLike<number>): void {
  const [w, h, pad] = [600, 220, 12];
  svg.replaceChildren();
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const span = hi - lo || 1;
  const x = (i: number) => pad + (i * (w - 2 * pad)) / Math.max(values.length - 1, 1);
  const y = (v: number) => h - pad - ((v - lo) * (h - 2 * pad)) / span;
  for (let g = 0; g <= 4; g++) {
    const line = document.createElementNS(SVG, 'line');
    const gy = pad + (g * (h - 2 * pad)) / 4;
    Object.entries({ x1: pad, x2: w - pad, y1: gy, y2: gy }).forEach(([k, v]) => line.setAttribute(k, String(v)));
    svg.append(line);
  }
  const poly = document.createElementNS(SVG, 'polyline');
  const points: string[] = [];
  for (let i = 0; i < values.length; i++) points.push(`${x(i).toFixed(1)},${y(values[i]!).toFixed(1)}`);
  poly.setAttribute('points', points.join(' '));
  svg.append(poly);
}

export function drawBars(container: HTMLElement, classes: ClassInfo[], prediction: Prediction): void {
  container.replaceChildren(
    ...classes.map((c, k) => {
      const p = prediction.probabilities[k]!;
      const row = document.createElement('div');
      row.className = k === prediction.classIndex ? 'row top' : 'row';
      row.dataset.testid = 'probability';
      row.dataset.label = c.label;
      row.dataset.value = String(p);
      const name = document.createElement('span');
      name.textContent = `${c.label} ${c.name}`;
      const track = document.createElement('div');
      track.className = 'track';
      const fill = document.createElement('div');
      fill.className = 'fill';
      fill.style.width = `${(100 * p).toFixed(2)}%`;
      track.append(fill);
      const pct = document.createElement('span');
      pct.textContent = `${(100 * p).toFixed(2)}%`;
      row.append(name, track, pct);
      return row;
    }),
  );
}

export function drawBatch(tbody: HTMLElement, predictions: Prediction[], labels: (string | undefined)[]): void {
  tbody.replaceChildren(
    ...predictions.map((p, i) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'batch-row';
      tr.dataset.probabilities = JSON.stringify(p.probabilities);
      tr.dataset.predicted = p.label;
      const truth = labels[i];
      if (truth !== undefined && truth !== p.label) tr.className = 'wrong';
      const cells = [String(i + 1), truth ?? '', p.label, p.name, Math.max(...p.probabilities).toFixed(4)];
      tr.append(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text })));
      return tr;
    }),
  );
}
