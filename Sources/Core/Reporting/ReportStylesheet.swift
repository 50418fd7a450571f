/// The report's CSS, inline so report.html is one self-contained file. Key and number columns
/// take a width of 1% so they shrink to their content and text columns get the rest.
enum ReportStylesheet {
    static let css = """
        body { margin: 0; background: #f6f7f9; color: #1f2937;
               font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 17px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid #e5e7eb; }
        h3 { font-size: 14px; margin: 18px 0 8px; }
        .meta { color: #6b7280; margin: 0; }
        .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
        .card { margin: 0; background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 10px 2px; }
        svg.plot { display: block; width: 100%; height: auto; }
        svg text { font-family: inherit; fill: #374151; }
        svg .title { font-size: 15px; font-weight: 600; fill: #111827; }
        svg .legend { font-size: 12px; }
        svg .legend.muted { fill: #9ca3af; font-style: italic; }
        svg .tick { font-size: 11px; fill: #4b5563; font-variant-numeric: tabular-nums; }
        svg .axis-label { font-size: 12px; fill: #6b7280; }
        svg .grid { stroke: #e5e7eb; stroke-width: 1; }
        svg .grid.minor { stroke: #f1f2f4; }
        svg .axis { stroke: #9ca3af; stroke-width: 1; }
        .notes { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; }
        .note { background: #fff; border: 1px dashed #d1d5db; border-radius: 6px; padding: 6px 10px; color: #6b7280; font-size: 13px; }
        .note strong { color: #374151; font-weight: 600; }
        table { border-collapse: collapse; background: #fff; width: 100%; font-size: 13px; }
        th, td { border: 1px solid #e5e7eb; padding: 6px 8px; text-align: left; vertical-align: top; }
        th { background: #f9fafb; font-weight: 600; }
        td.num { width: 1%; text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.key { width: 1%; white-space: nowrap; font-weight: 500; }
        .text { margin: 0; max-height: 14em; overflow: auto; white-space: pre-wrap; word-break: break-word;
                font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        .text.full { max-height: none; }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
        .empty { color: #6b7280; font-style: italic; }
        """
}
