"""ftwizard.evaluate: what tuning changed, read from a finished run's folder.

Base and tuned answers on the holdout (samples) and task metrics with bootstrap intervals
(metrics, the report; kinds, the metrics of each task kind; intervals, the bootstrap;
scikit-learn, rouge-score, sacreBLEU and SciPy load lazily, inside functions).

May import: ftwizard.base, ftwizard.runs, ftwizard.recommend. Qt-free and torch-free.
"""
