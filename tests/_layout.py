"""Layout checks a reader would make, run on a page open in headless Chromium.

``layout_defects(page)`` returns one line per defect, naming the figure (its title or name):

- an output cell or figure container wider than its column (``scrollWidth > clientWidth``);
- a legend box inside the plotting area that covers a point of a glyph (scatter markers, line
  vertices, text anchors: the screen coordinates BokehJS computed for the glyph);
- a plotting area (frame) under 120 px high, in a figure with visible axes;
- a title wider than the space for it, so that the canvas cuts it off.

The glyph coordinates and the boxes come from BokehJS's views (``Bokeh.index``): canvas pixels,
the same frame of reference for glyphs, legends and titles.
"""

from __future__ import annotations

LAYOUT_JS = r"""
() => {
  const out = [];
  for (const el of document.querySelectorAll('.cell_output, .cell_output pre, .output, .linstab-figure')) {
    if (el.scrollWidth > el.clientWidth + 1)
      out.push(`overflow: output "${(el.innerText || '').trim().split('\n').sort((a, b) => b.length - a.length)[0].slice(0, 60)}" ` +
               `is ${el.scrollWidth} px wide in a ${el.clientWidth} px column`);
  }
  const ctx = document.createElement('canvas').getContext('2d');
  function inside(b, x, y) { return x > b.x0 && x < b.x1 && y > b.y0 && y < b.y1; }
  function overlaps(a, b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }
  function walk(v) {
    if (v.frame && v.renderer_views) {
      const m = v.model, name = (m.title && m.title.text) || m.name || m.id;
      const fb = v.frame.bbox;
      const axes = Array.from(v.renderer_views.keys()).filter(r => r.type && r.type.endsWith('Axis') && r.visible);
      if (axes.length && fb.y1 - fb.y0 < 120)
        out.push(`small plot: "${name}" has a plotting area ${Math.round(fb.y1 - fb.y0)} px high`);
      const legends = [], glyphs = [];
      for (const [r, rv] of v.renderer_views) {
        if (r.type === 'Legend' && r.visible && rv.bbox && overlaps(rv.bbox, fb)) legends.push(rv.bbox);
        if (r.type === 'GlyphRenderer' && r.visible && rv.glyph && rv.glyph.sx) glyphs.push([r, rv]);
        if (r.type === 'Title' && r.text && rv.bbox) {
          ctx.font = `${r.text_font_style} ${r.text_font_size} ${r.text_font}`;
          const w = Math.max(...r.text.split('\n').map(t => ctx.measureText(t).width)), room = rv.bbox.x1 - rv.bbox.x0;
          if (w > room + 1) out.push(`cut title: "${r.text}" needs ${Math.round(w)} px, has ${Math.round(room)}`);
        }
      }
      for (const lb of legends) {
        for (const [r, rv] of glyphs) {
          const sx = rv.glyph.sx, sy = rv.glyph.sy;
          if (!sy || typeof sx[0] !== 'number') continue;   // multi-line glyphs: nested arrays
          let hit = 0;
          const line = r.glyph.type === 'Line';   // a line also crosses the box between vertices
          for (let i = 0; i < sx.length; i++) {
            if (inside(lb, sx[i], sy[i])) hit++;
            else if (line && i + 1 < sx.length)
              for (let t = 0.1; t < 1; t += 0.1)
                if (inside(lb, sx[i] + t * (sx[i + 1] - sx[i]), sy[i] + t * (sy[i + 1] - sy[i]))) { hit++; break; }
          }
          if (hit) out.push(`legend on data: in "${name}" the legend covers ${hit} point(s) of ${r.name || r.glyph.type}`);
        }
      }
    }
    for (const c of (v.child_views || [])) walk(c);
  }
  if (window.Bokeh && Bokeh.index) Object.values(Bokeh.index).forEach(walk);
  return out;
}
"""


def layout_defects(page) -> list[str]:
    """The layout defects of the page open in ``page`` (a Playwright page), one line each."""
    return page.evaluate(LAYOUT_JS)
