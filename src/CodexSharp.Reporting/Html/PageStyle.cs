namespace CodexSharp.Reporting.Html;

/// <summary>The page's stylesheet, inlined: system fonts only, so the page looks the same offline.</summary>
internal static class PageStyle
{
    public const string Css = """

        :root { --ink: #1d2330; --muted: #5d6675; --line: #e3e6eb; --accent: #1f77b4; --bg: #fafbfc; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.55 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1120px; margin: 0 auto; padding: 28px 28px 60px; background: #fff; box-shadow: 0 0 0 1px var(--line); }
        header h1 { margin: 0; font-size: 26px; letter-spacing: -0.01em; }
        .subtitle { margin: 2px 0 0; font-size: 18px; color: var(--ink); font-weight: 600; }
        .meta { margin: 4px 0 0; color: var(--muted); font-size: 13px; word-break: break-all; }
        h2 { font-size: 20px; margin: 40px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
        h3 { font-size: 16px; margin: 28px 0 8px; }
        h4 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
        .cards { display: flex; flex-wrap: wrap; gap: 14px; margin: 14px 0 18px; }
        .card { flex: 1 1 180px; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; background: #fff; }
        .card .label { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: 0.05em; }
        .card .big { font-size: 30px; font-weight: 700; line-height: 1.2; }
        .card .small { color: var(--muted); font-size: 13px; }
        table { border-collapse: collapse; margin: 10px 0 14px; font-size: 14px; font-variant-numeric: tabular-nums; }
        th, td { padding: 5px 12px 5px 0; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        th { font-weight: 600; color: var(--muted); font-size: 13px; }
        .r { text-align: right; }
        .ci { color: var(--muted); font-size: 13px; }
        .na { color: var(--muted); }
        tr.best td { font-weight: 600; }
        figure { margin: 8px 0 18px; }
        figure svg.plot { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
        figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
        .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 18px; align-items: start; }
        .warnings { border-left: 4px solid #e0a800; background: #fff8e1; padding: 8px 14px; margin: 10px 0; font-size: 14px; }
        .warnings ul { margin: 4px 0; padding-left: 18px; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        table.problems { width: 100%; }
        .bar { display: inline-block; width: 80px; height: 8px; background: #f1d4d4; border-radius: 4px; vertical-align: middle; overflow: hidden; }
        .bar span { display: block; height: 100%; background: #2ca02c; }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; background: #7f7f7f; }
        .swatch.passed { background: #2ca02c; } .swatch.assertion { background: #d62728; } .swatch.syntax-error { background: #9467bd; }
        .swatch.name-error { background: #ff7f0e; } .swatch.type-error { background: #e377c2; } .swatch.other-exception { background: #8c564b; }
        .swatch.timed-out { background: #1f77b4; } .swatch.killed { background: #7f7f7f; }
        details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 12px; }
        details > summary { cursor: pointer; font-weight: 600; }
        details:target { border-color: var(--accent); box-shadow: 0 0 0 2px #cfe3f3; }
        pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; overflow-x: auto; font: 12.5px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        pre.pass { border-left: 3px solid #2ca02c; } pre.fail { border-left: 3px solid #d62728; }
        .verdict { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; color: #a61b1b; margin: 0 0 8px; }
        #methods li { margin-bottom: 6px; font-size: 14px; }
        code { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }

        """;
}
