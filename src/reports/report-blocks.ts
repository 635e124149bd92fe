/** A report as plain blocks, rendered to Markdown and to self-contained HTML from the same content. */
import { escapeXml } from './svg-chart.js';

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'para'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][]; align?: ('left' | 'right')[] }
  | { kind: 'figure'; name: string; caption: string; svg: string }
  | { kind: 'code'; lang: string; text: string };

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Figures become image links to `figures/<name>.svg`, which the caller writes beside the Markdown. */
export function renderMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${b.text}`);
        break;
      case 'para':
        out.push(b.text);
        break;
      case 'list':
        out.push(b.items.map((i) => `- ${i}`).join('\n'));
        break;
      case 'table': {
        const align = b.header.map((_, i) => (b.align?.[i] === 'right' ? '---:' : '---'));
        out.push(
          [b.header, align, ...b.rows]
            .map((r, i) => `| ${(i === 1 ? r : r.map(mdCell)).join(' | ')} |`)
            .join('\n'),
        );
        break;
      }
      case 'figure':
        out.push(`![${b.caption}](figures/${b.name}.svg)\n\n*${b.caption}*`);
        break;
      case 'code':
        out.push(`\`\`\`${b.lang}\n${b.text.replace(/\n$/, '')}\n\`\`\``);
        break;
    }
  }
  return `${out.join('\n\n')}\n`;
}

/** Markdown's **bold** and `code` inside text, escaped first. */
function inline(s: string): string {
  return escapeXml(s)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');
}

const STYLE = `body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1a;max-width:980px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin-top:1.4rem}table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f5f5f5}
td.r,th.r{text-align:right}figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}pre{background:#f7f7f7;padding:.6rem;overflow:auto}
.figs{display:flex;flex-wrap:wrap;gap:.5rem}`;

export function renderHtml(title: string, blocks: readonly Block[]): string {
  const body: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        body.push(`<h${b.level}>${inline(b.text)}</h${b.level}>`);
        break;
      case 'para':
        body.push(`<p>${inline(b.text)}</p>`);
        break;
      case 'list':
        body.push(`<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`);
        break;
      case 'table': {
        const cls = (i: number): string => (b.align?.[i] === 'right' ? ' class="r"' : '');
        body.push(
          `<table><thead><tr>${b.header.map((h, i) => `<th${cls(i)}>${inline(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
            .map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${inline(c)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`,
        );
        break;
      }
      case 'figure':
        body.push(`<figure>${b.svg}<figcaption>${inline(b.caption)}</figcaption></figure>`);
        break;
      case 'code':
        body.push(`<pre><code>${escapeXml(b.text)}</code></pre>`);
        break;
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeXml(title)}</title><style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}
