"""`tinycc sweep`: models x quantisation settings x backends x boards, each point compiled, budgeted,
timed and scored (tinycc/report.py's figures, the accuracy on an evaluation set), locally in a
process pool or as Ray tasks, cached by content so a re-run computes only what is missing.

One job per module: spec.py reads the grid (a TOML file or the command's flags), points.py runs one
point (a pure function of bytes in, a record out), cache.py keeps finished records by content hash,
run_local.py and run_ray.py run the points, results.py prints and writes the records (table, JSON,
CSV, the reproducing command), pareto_html.py the Pareto fronts and the HTML page.
"""
